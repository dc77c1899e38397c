/**
 * Prints an application's events until it ends (`run --follow`, attached `run`, `watch`), and turns
 * its final status into the exit code: 0 for FINISHED, 1 otherwise. Events go to stderr as one line
 * each, or with `json` to stdout as JSON lines, each the WatchApplication response that carried it
 * in the proto3 JSON mapping (what buf curl prints for the stream). On a terminal a status line
 * below them (statusLine.ts) says what the application is doing and for how long it has been
 * followed: its status, its cluster's task executors ready while it deploys, its jobs running.
 */
import { WatchApplicationResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../../generated/flotilla/v1/status.js';
import { onReplica, type ControlPlaneConnection } from '../../client/controlPlaneClient.js';
import { describeEvent, terminalStatusOf } from '../../client/describeEvent.js';
import { watchApplication } from '../../client/watchApplication.js';
import { FollowProgress } from './followProgress.js';
import { statusLine, type StatusLine } from './statusLine.js';

/** Options of {@link followApplication}. */
export interface FollowOptions {
  /** Start after this event sequence (0 replays them all). */
  afterSequence?: number;
  /** Events as JSON lines on stdout instead of text lines on stderr. */
  json?: boolean;
  /** Where lines and the status line go; a new one on stderr (quiet when `quiet`) unless given. */
  lines?: StatusLine;
  /** No status line (`--quiet`); ignored when `lines` is given. */
  quiet?: boolean;
}

/** Follows `applicationId`; resolves with the exit code. */
export async function followApplication(
  connection: ControlPlaneConnection,
  applicationId: string,
  options: FollowOptions = {},
): Promise<number> {
  const lines = options.lines ?? statusLine({ quiet: options.quiet });
  const write = (line: string) => lines.print(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const progress = new FollowProgress(applicationId);
  const describe = () => progress.describe();
  lines.set(describe);
  try {
    for await (const event of watchApplication(connection, applicationId, {
      afterSequence: options.afterSequence ?? 0,
      follow: true,
      onReconnect: (after) =>
        write(`connection to the control plane lost; resuming after event ${after}${onReplica(connection)}`),
    })) {
      progress.observe(event);
      const line = options.json === true ? undefined : describeEvent(event);
      if (options.json === true)
        lines.print(JSON.stringify(WatchApplicationResponse.toJSON({ event })), process.stdout);
      else if (line) write(line);
      else lines.set(describe);
      const terminal = terminalStatusOf(event);
      if (terminal !== undefined) return terminal === ApplicationStatus.FINISHED ? 0 : 1;
    }
    write(`the control plane ended the watch of ${applicationId} before the application ended`);
    return 1;
  } finally {
    lines.set(undefined);
    if (!options.lines) lines.close();
  }
}
