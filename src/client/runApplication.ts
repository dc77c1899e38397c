/**
 * Submits an application: uploads its bundle unless the control plane has it, then asks the
 * control plane to run it. The request carries an id made once per invocation, so it is sent again
 * with the same id, which never starts the application twice: to the next replica when its replica
 * went away under it, and for a moment to the same one while no replica can be reached.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Application } from '../../generated/flotilla/v1/resources.js';
import { SubmissionMode } from '../../generated/flotilla/v1/status.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { NotFoundError } from '../common/errors.js';
import { ControlPlaneUnreachableError } from './errors.js';
import { retryTransient } from './retryTransient.js';
import { uploadBundle } from './uploadBundle.js';

/** Where the application runs. */
export type ClusterChoice =
  /** An owned cluster deployed for the application; 0 leaves a size to the control plane's default. */
  | {
      kind: 'deploy';
      taskExecutors: number;
      slotsPerTaskExecutor: number;
      /** The deployed cluster's dynamic properties (its Kubernetes settings, `kubernetes.*`); none when not given. */
      properties?: Record<string, string>;
    }
  | { kind: 'cluster'; clusterId: string }
  | { kind: 'jobmanager'; address: string };

/** An application to run in driver mode. */
export interface DriverApplicationRequest {
  /** The bundle folder or .tgz. */
  bundlePath: string;
  /** The application's name; the bundle's package name by default. */
  name?: string;
  /** `module#export`, Flink's `-c`; the bundle's main module and its `main` export by default. */
  entry: string;
  args: string[];
  cluster: ClusterChoice;
  driver: { heapMemoryMb: number; directMemoryMb: number; nativeMemoryMb: number; cpus: number };
  /** The default parallelism of the application's jobs; 0 for the cluster's default. */
  parallelism: number;
  /** How many driver attempts the application may use (driver mode); 0 or absent for 1. */
  driverAttempts?: number;
  /** Whether a driver that failed by its own doing is started again too while attempts remain. */
  driverRetryOwnFailures?: boolean;
  properties: Record<string, string>;
  /** Makes a repeated submission idempotent; a new one per call by default. */
  requestId?: string;
  /** Where main() runs; driver mode by default. */
  mode?: SubmissionMode;
  /** Session and per-job modes: the client leaves the jobs main() did not wait for. */
  detached?: boolean;
  /** The savepoint the application's jobs restore from (Flink's -s and -n). */
  savepoint?: { path: string; allowNonRestoredState: boolean };
  /** Resume from the latest retained checkpoints of the previous run of the same name (Flink's -r). */
  resume?: boolean;
}

/** Options of {@link runApplication}. */
export interface RunOptions {
  onUploadProgress?: (sent: number, total: number) => void;
  /** Called when the bundle is stored, with whether it had to be sent and its size in bytes. */
  onUploaded?: (artifactId: string, alreadyStored: boolean, sizeBytes: number) => void;
}

/** How long RunApplication is retried while the control plane cannot be reached, in milliseconds. */
const UNREACHABLE_RETRY_MS = 2000;

/** Uploads and runs; resolves with the accepted application. */
export async function runApplication(
  connection: ControlPlaneConnection,
  request: DriverApplicationRequest,
  options: RunOptions = {},
): Promise<{ application: Application; deduplicated: boolean }> {
  const upload = async () => {
    const uploaded = await uploadBundle(connection, request.bundlePath, { onProgress: options.onUploadProgress });
    options.onUploaded?.(uploaded.artifactId, uploaded.alreadyStored, uploaded.sizeBytes);
    return { artifactId: uploaded.artifactId, replica: connection.address };
  };
  let uploaded = await upload();
  const requestId = request.requestId ?? randomUUID();
  const message = {
    requestId,
    name: request.name ?? applicationNameOf(request.bundlePath),
    bundle: { source: { $case: 'artifactId' as const, artifactId: uploaded.artifactId } },
    entry: request.entry,
    args: request.args,
    mode: request.mode ?? SubmissionMode.DRIVER,
    detached: request.detached ?? false,
    cluster: clusterTargetOf(request.cluster),
    driverResources: request.driver,
    parallelism: request.parallelism,
    driverAttempts: request.driverAttempts ?? 0,
    driverRetryOwnFailures: request.driverRetryOwnFailures ?? false,
    savepoint: request.savepoint,
    resume: request.resume ?? false,
    properties: request.properties,
  };
  // Only an unreachable control plane is retried over time: UNAVAILABLE here may also mean that the
  // job manager named with -m does not answer, which the user should hear about at once.
  const submit = () =>
    retryTransient(
      () => connection.call((client) => client.runApplication(message), { idempotent: true }),
      UNREACHABLE_RETRY_MS,
      (error) => error instanceof ControlPlaneUnreachableError,
    );
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await submit();
      return { application: response.application!, deduplicated: response.deduplicated };
    } catch (error) {
      // The submission moved to a replica other than the one that took the bundle, and that one
      // does not know it (yet): give it the bundle too (nothing is sent if it has it) and submit again.
      if (!(error instanceof NotFoundError) || connection.address === uploaded.replica || attempt > 3) throw error;
      uploaded = await upload();
    }
  }
}

function clusterTargetOf(choice: ClusterChoice) {
  switch (choice.kind) {
    case 'deploy':
      if (
        choice.taskExecutors === 0 &&
        choice.slotsPerTaskExecutor === 0 &&
        Object.keys(choice.properties ?? {}).length === 0
      )
        return undefined;
      return {
        target: {
          $case: 'deploy' as const,
          deploy: {
            taskExecutors: choice.taskExecutors,
            slotsPerTaskExecutor: choice.slotsPerTaskExecutor,
            taskExecutorResources: undefined,
            properties: { ...choice.properties },
          },
        },
      };
    case 'cluster':
      return { target: { $case: 'clusterId' as const, clusterId: choice.clusterId } };
    case 'jobmanager':
      return { target: { $case: 'jobmanagerAddress' as const, jobmanagerAddress: choice.address } };
  }
}

/** The bundle's package name, else its file or folder name. */
export function applicationNameOf(bundlePath: string): string {
  const manifest = join(bundlePath, 'package.json');
  if (existsSync(bundlePath) && statSync(bundlePath).isDirectory() && existsSync(manifest)) {
    try {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string' && name.trim() !== '') return name;
    } catch {
      // An unreadable manifest is the upload's problem to report; fall back to the folder name.
    }
  }
  return basename(bundlePath).replace(/\.(tgz|tar\.gz)$/, '');
}
