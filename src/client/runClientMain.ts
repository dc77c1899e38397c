/**
 * Runs an application's `main(env, args)` in this process (session and per-job modes), with an
 * environment whose jobs go through the control plane: to the application's named cluster, or
 * each to a cluster of its own. Waits until the control plane has the application RUNNING (its
 * cluster has the bundle), then runs main() from the bundle on disk (a .tgz is unpacked first,
 * with the same checks a task executor applies) and reports its end with CompleteClientMain, so
 * the control plane can end the application by FLIP-40's rules once its jobs have ended.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Application } from '../../generated/flotilla/v1/resources.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { ExecutionEnvironment } from '../api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../api/functions/bundleFunctionCapturer.js';
import { FailedPreconditionError } from '../common/errors.js';
import { serializeError, type SerializedError } from '../common/status.js';
import { loadDriverMain } from '../driver/loadDriverMain.js';
import { serializedErrorToMessage } from '../rpc/convert/status.js';
import { BUNDLE_CACHE_DEFAULTS } from '../bundle/BundleCacheOptions.js';
import { unpackBundle } from '../bundle/unpackBundle.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneJobSubmitter } from './controlPlaneJobSubmitter.js';
import { terminalStatusOf } from './describeEvent.js';
import { retryTransient } from './retryTransient.js';
import { watchApplication } from './watchApplication.js';

/** What a client-side main() needs. */
export interface ClientMainRequest {
  connection: ControlPlaneConnection;
  /** The application as RunApplication accepted it. */
  application: Application;
  /** The bundle folder or .tgz that was uploaded. */
  bundlePath: string;
  artifactId: string;
  args: string[];
  /** Called when the control plane accepted a job of main(). */
  onJobSubmitted?: (jobId: string, clusterId: string, jobName: string) => void;
}

/** Runs main() to its end and reports it; resolves with what main() threw, or undefined when it returned. */
export async function runClientMain(request: ClientMainRequest): Promise<SerializedError | undefined> {
  const { connection, application } = request;
  const heartbeat = startHeartbeat(connection, application.id);
  let failure: SerializedError | undefined;
  try {
    await untilRunning(connection, application.id);
    failure = await runMain(request);
    await completeClientMain(connection, application.id, failure);
  } finally {
    heartbeat.stop();
  }
  return failure;
}

/** Loads and runs main(); resolves with what it threw, or undefined. */
async function runMain(request: ClientMainRequest): Promise<SerializedError | undefined> {
  const { connection, application } = request;
  const bundle = await openBundle(request.bundlePath);
  let failure: SerializedError | undefined;
  try {
    const main = await loadDriverMain(bundle.root, application.entry);
    const submitter = new ControlPlaneJobSubmitter({
      connection,
      applicationId: application.id,
      onSubmitted: request.onJobSubmitted,
    });
    const env = new ExecutionEnvironment({
      submitter,
      captureFunction: bundleFunctionCapturer(bundle.root),
      jobNamePrefix: application.name,
      bundle: { artifactId: request.artifactId },
      defaultParallelism: application.parallelism > 0 ? application.parallelism : undefined,
      properties: application.properties,
    });
    await main(env, request.args);
  } catch (error) {
    failure = serializeError(error);
  } finally {
    bundle.close();
  }
  return failure;
}

/**
 * Tells the control plane this client is alive (Flink's client heartbeat) until stopped, every
 * quarter of the timeout it answers with; a missed beat is simply sent again at the next one.
 */
function startHeartbeat(connection: ControlPlaneConnection, applicationId: string): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = async () => {
    let next = 5000;
    try {
      const { timeoutMs } = await connection.call((client) => client.reportClientHeartbeat({ applicationId }), {
        idempotent: true,
      });
      next = Math.max(100, Number(timeoutMs) / 4);
    } catch {
      // The control plane may be restarting; it gives every client a whole timeout after it starts.
    }
    if (!stopped) timer = setTimeout(() => void beat(), next);
  };
  void beat();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Waits for the application to be RUNNING; FAILED_PRECONDITION naming its end when it ends first. */
async function untilRunning(connection: ControlPlaneConnection, applicationId: string): Promise<void> {
  for await (const event of watchApplication(connection, applicationId, { follow: true })) {
    const kind = event.kind;
    if (
      kind?.$case === 'applicationStatusChanged' &&
      kind.applicationStatusChanged.status === ApplicationStatus.RUNNING
    )
      return;
    if (terminalStatusOf(event) !== undefined) {
      const change = kind?.$case === 'applicationStatusChanged' ? kind.applicationStatusChanged : undefined;
      throw new FailedPreconditionError(
        `application ${applicationId} ended before main() could start: ${change?.failure?.message || change?.message || 'no reason given'}`,
      );
    }
  }
  throw new FailedPreconditionError(
    `the control plane ended the watch of application ${applicationId} before it was RUNNING`,
  );
}

/** The bundle as a folder: the folder itself, or a .tgz unpacked into a temporary one (removed by close). */
async function openBundle(path: string): Promise<{ root: string; close(): void }> {
  const absolute = resolve(path);
  if (statSync(absolute).isDirectory()) return { root: absolute, close: () => undefined };
  const root = mkdtempSync(join(tmpdir(), 'flotilla-bundle-'));
  await unpackBundle(absolute, root, BUNDLE_CACHE_DEFAULTS);
  return { root, close: () => rmSync(root, { recursive: true, force: true }) };
}

/** Reports main()'s end, retrying while the control plane cannot be reached (the report is idempotent). */
function completeClientMain(
  connection: ControlPlaneConnection,
  applicationId: string,
  failure: SerializedError | undefined,
): Promise<unknown> {
  return retryTransient(() =>
    connection.call(
      (client) => client.completeClientMain({ applicationId, failure: failure && serializedErrorToMessage(failure) }),
      { idempotent: true },
    ),
  );
}
