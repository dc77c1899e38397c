/**
 * Prints an application's events until it ends (`run --follow`, `watch`), and turns its final
 * status into the exit code: 0 for FINISHED, 1 otherwise. Events go to stderr as one line each, or
 * with `json` to stdout as JSON lines, each the WatchApplication response that carried it in the
 * proto3 JSON mapping (what buf curl prints for the stream).
 */
import { WatchApplicationResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../../generated/flotilla/v1/status.js';
import type { ControlPlaneConnection } from '../../client/controlPlaneClient.js';
import { describeEvent, terminalStatusOf } from '../../client/describeEvent.js';
import { watchApplication } from '../../client/watchApplication.js';
import { printJsonLine } from './outputFormat.js';

/** Follows `applicationId` from `afterSequence`; resolves with the exit code. */
export async function followApplication(
  connection: ControlPlaneConnection,
  applicationId: string,
  afterSequence = 0,
  json = false,
): Promise<number> {
  const write = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
  for await (const event of watchApplication(connection, applicationId, {
    afterSequence,
    follow: true,
    onReconnect: (after) => write(`connection to the control plane lost; resuming after event ${after}`),
  })) {
    if (json) printJsonLine(WatchApplicationResponse.toJSON({ event }));
    else {
      const line = describeEvent(event);
      if (line) write(line);
    }
    const terminal = terminalStatusOf(event);
    if (terminal !== undefined) return terminal === ApplicationStatus.FINISHED ? 0 : 1;
  }
  write(`the control plane ended the watch of ${applicationId} before the application ended`);
  return 1;
}
