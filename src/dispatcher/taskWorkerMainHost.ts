/**
 * The job manager's {@link ApplicationMainHost}: runs an application's `main()` in a worker thread
 * of the job manager process, with the same {@link Task} and worker a driver job's task uses on a
 * task executor, so application mode gets driver mode's behaviour for free: the heap limit on the
 * worker, the direct and native memory watch, the console captured and forwarded in order before
 * the end is reported, and cancellation that terminates a worker which does not stop in time. The
 * bundle comes from this job manager's own blob server, unpacked once into `<stateDir>/bundles` by
 * the cache task executors use. `main()`'s console goes to the job manager's stdout and stderr (its
 * `.out` file, as Flink's jobmanager.out) and to the main job's output (ReadJobOutput).
 */
import type { ArtifactStore } from '../blob/ArtifactStore.js';
import { FailedPreconditionError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { BundleCache } from '../bundle/BundleCache.js';
import type { BundleUriRoots } from '../bundle/BundleUriRoots.js';
import type { BlobSource } from '../blob/BlobSource.js';
import type { TaskOutputStream } from '../runtime/JobManagerGateway.js';
import { Task } from '../taskexecutor/task/Task.js';
import type { ClientSecurity } from '../rpc/security/ClientSecurity.js';
import type { ApplicationMainHost } from './ApplicationMainHost.js';

/** Options of {@link taskWorkerMainHost}. */
export interface TaskWorkerMainHostOptions {
  /** The job manager's blob server store, where the control plane uploaded the bundle. */
  blobs: ArtifactStore;
  /** The job manager's state folder; bundles are unpacked into `<stateDir>/bundles`. */
  stateDir: string;
  logger: Logger;
  /** How long a cancelled `main()` may take to stop before its worker is terminated; 5 s by default. */
  cancellationGraceMs?: number;
  /** Writes `main()`'s console in this process; to its stdout and stderr by default. */
  writeLocalOutput?: (stream: TaskOutputStream, data: Uint8Array) => void;
  /** How `main()` reaches this job manager (TLS, the cluster's secret); plaintext without credentials when not given. */
  clientSecurity?: ClientSecurity;
  /** Where bundles named by a uri may be; none when not given. */
  bundleUriRoots?: BundleUriRoots;
}

/** The default grace of a cancelled `main()`, in milliseconds. */
export const MAIN_CANCELLATION_GRACE_MS = 5000;

/** Runs `main()` of applications in worker threads of this process. */
export function taskWorkerMainHost(options: TaskWorkerMainHostOptions): ApplicationMainHost {
  const { blobs, logger } = options;
  const bundles = new BundleCache({
    stateDir: options.stateDir,
    source: blobStoreSource(blobs),
    uriRoots: options.bundleUriRoots,
  });
  const running = new Set<Task>();
  return {
    location: `the job manager (pid ${process.pid})`,

    hasBundle: (artifactId) => blobs.find(artifactId) !== undefined,

    run(deployment, reports) {
      const task = new Task({
        descriptor: deployment,
        logger: logger.child({ jobId: deployment.jobId, applicationId: deployment.applicationId }),
        cancellationGraceMs: options.cancellationGraceMs ?? MAIN_CANCELLATION_GRACE_MS,
        // main()'s output goes straight into the job's output log: no call to make, nothing to close.
        connectOutputReporter: () => ({
          reportTaskOutput: async (_jobId, _attemptId, stream, data) => reports.output(stream, data),
          close: () => undefined,
        }),
        writeLocalOutput: options.writeLocalOutput,
        clientSecurity: options.clientSecurity,
        services: {
          resolveBundle: async (descriptor) => (descriptor.bundle ? bundles.resolve(descriptor.bundle) : undefined),
          createResultPartition: () => {
            throw new FailedPreconditionError('main() has no result partitions');
          },
          openInputGate: () => {
            throw new FailedPreconditionError('main() has no input');
          },
          reportState: async (state, failure) => {
            reports.state(state, failure);
            return true;
          },
          collect: async () => false,
          print: (text) => void process.stdout.write(text),
        },
      });
      running.add(task);
      void task.terminated.finally(() => running.delete(task));
      task.start();
      return { cancel: () => task.cancel() };
    },

    async close() {
      bundles.close();
      await Promise.all([...running].map((task) => task.cancel()));
    },
  };
}

/** The blob server's store as the source the bundle cache downloads from: files read from disk. */
function blobStoreSource(blobs: ArtifactStore): BlobSource {
  return {
    download(artifactId, signal) {
      if (!blobs.find(artifactId))
        throw new NotFoundError(`bundle ${artifactId} is not in this job manager's blob server`);
      return blobs.read(artifactId, { signal });
    },
  };
}
