/** Applications as the control plane records them: what was submitted, where it runs and how it ended. */
import type { SerializedError } from '../../common/status.js';
import type { ApplicationStatus } from './ApplicationStatus.js';
import type { ClusterSpec } from './Cluster.js';
import type { DriverAttempt } from './DriverAttempt.js';
import type { ApplicationSavepoint, JobRestore } from './ApplicationSavepoint.js';

/** Where `main()` runs and which cluster the jobs use; what each mode means is its strategy's (applications/modes/). */
export type SubmissionMode = 'SESSION' | 'PER_JOB' | 'APPLICATION' | 'DRIVER';

/** The limits of a driver's worker; zero picks the default. */
export interface DriverResources {
  cpus: number;
  heapMemoryMb: number;
  directMemoryMb: number;
  nativeMemoryMb: number;
}

/** Where the bundle comes from. */
export type ApplicationBundle = { artifactId: string } | { uri: string };

/** Which cluster the application runs on. */
export type ClusterTarget =
  /** A new cluster deployed for the application and torn down at its end (also when no target is given). */
  | { kind: 'deploy'; spec: ClusterSpec }
  /** A shared cluster this control plane deployed (DeployCluster), used as it is. */
  | { kind: 'cluster'; clusterId: string }
  /** A job manager the user started (`-m HOST:PORT`), used as it is. */
  | { kind: 'jobmanager'; address: string };

/**
 * Where the application's jobs restore their state from: a savepoint (`-s PATH`) or the latest
 * retained checkpoints of the previous run of the same name (`-r`), resolved at submission into a
 * path per job name.
 */
export interface SavepointSettings {
  /** The savepoint asked for; empty when resuming. */
  path: string;
  allowNonRestoredState: boolean;
  /** Resume from the previous run's checkpoints (`-r`) instead of a savepoint. */
  resume?: boolean;
  /** Each job's state, by its name within the application, as resolved when the application was accepted. */
  jobs?: JobRestore[];
  /** The application resumed from, with `resume`. */
  resumedFrom?: string;
}

/** What a client asks to run, validated and with defaults filled in. */
export interface ApplicationSubmission {
  name: string;
  mode: SubmissionMode;
  detached: boolean;
  bundle: ApplicationBundle;
  /** `module#export`; an empty module means the package's main. */
  entry: string;
  args: string[];
  target: ClusterTarget;
  driverResources: DriverResources;
  /** At least 1. */
  parallelism: number;
  savepoint?: SavepointSettings;
  properties: Record<string, string>;
  /** How many driver attempts the application may use, at least 1 (only driver mode takes more). */
  driverAttempts: number;
  /**
   * Whether a driver that failed by its own doing (APPLICATION, RESOURCE) is started again too while
   * attempts remain; false retries only infrastructure failures (`--driver-retry-own-failures`).
   */
  driverRetryOwnFailures: boolean;
}

/** An application known to the control plane. */
export interface Application extends ApplicationSubmission {
  id: string;
  /** The tenant that submitted it (its bearer token's); '' on a control plane without tokens. Only that tenant sees it. */
  tenant: string;
  status: ApplicationStatus;
  /** The cluster it runs on, once there is one; empty before. */
  clusterId: string;
  ownsCluster: boolean;
  /** The driver job, once it was submitted; empty before. */
  driverJobId: string;
  /** The jobs its `main()` submitted (not the driver job), in the order the control plane first saw them. */
  jobIds: string[];
  createTime: Date;
  endTime?: Date;
  failure?: SerializedError;
  /** When a client-side `main()` (session and per-job modes) reported its end (CompleteClientMain). */
  clientMainEndTime?: Date;
  /** What a client-side `main()` threw, when it did. */
  clientMainFailure?: SerializedError;
  lastEventSequence: number;
  requestId: string;
  requestFingerprint: string;
  /** The driver attempts started so far (driver mode), oldest first; empty before the first. */
  attempts: DriverAttempt[];
  /** The latest savepoint taken of it (TriggerSavepoint, StopApplication), once there is one. */
  lastSavepoint?: ApplicationSavepoint;
}
