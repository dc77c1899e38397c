/**
 * What differs between the four submission modes, asked of one strategy object per mode instead
 * of testing the mode where it matters (Flink keeps the same split in its PipelineExecutor and
 * ClusterDescriptor per deployment target). Where `main()` runs, whether a cluster belongs to the
 * application or to each job, how the application is launched, which requests its client may
 * make, which targets it takes, and how its end is decided are answered here; the launch, the
 * relay of cluster events, the lifecycle and recovery around them are the same for every mode.
 */
import type { ArtifactStore } from '../../../blob/ArtifactStore.js';
import type { Logger } from '../../../common/logger.js';
import type { SerializedError } from '../../../common/status.js';
import type { JobGraph } from '../../../jobgraph/jobGraph.js';
import type { ClusterManager } from '../../clusters/ClusterManager.js';
import type { DriverReplayRecord } from '../../clusters/DispatcherGateway.js';
import type { Application, ApplicationSubmission, ClusterTarget, SubmissionMode } from '../../model/Application.js';
import type { ApplicationJobs } from '../../model/ApplicationJobs.js';
import type { ApplicationStore } from '../../store/ApplicationStore.js';

/** What a strategy works with when it launches an application or submits a job for it. */
export interface ModeServices {
  clusters: ClusterManager;
  artifacts: ArtifactStore;
  applications: ApplicationStore;
  logger: Logger;
  /** What a driver attempt is told of the earlier ones (replay); undefined for an application without attempts. */
  driverReplay?(application: Application): Promise<DriverReplayRecord | undefined>;
}

/** What a launch got running. */
export interface LaunchedApplication {
  /** Why the application is RUNNING now, for its status event. */
  message: string;
  /** The job that stands for `main()` on the cluster, when `main()` runs there. */
  driverJobId?: string;
}

/** Where a job a client-side `main()` submitted runs. */
export interface SubmittedClientJob {
  jobId: string;
  clusterId: string;
}

/** The requests only a client running `main()` makes. */
export type ClientMainRequest = 'SubmitJob' | 'CompleteClientMain' | 'ClientHeartbeat';

/** What the jobs seen so far mean for an application's end. */
export type Settlement =
  /** It ends now, with this status. */
  | { end: 'now'; status: 'FINISHED' | 'FAILED' | 'CANCELED'; message: string; failure?: SerializedError }
  /** Its cluster reports the end; what the jobs imply applies only when it does not in time. */
  | { end: 'byCluster' }
  /** Nothing yet. */
  | undefined;

/** One submission mode. */
export interface SubmissionModeStrategy {
  readonly mode: SubmissionMode;
  /**
   * True when `main()` runs in the client (session and per-job modes): the client submits the
   * jobs, sends heartbeats and reports `main()`'s end, and cancelling means cancelling the jobs.
   * False when it runs in the cluster, which reports its end through the job standing for it.
   */
  readonly clientRunsMain: boolean;
  /** True when every job gets a cluster of its own, torn down once its job is done with (per-job mode). */
  readonly clusterPerJob: boolean;

  /** Whether the client detaches, given what it asked; INVALID_ARGUMENT when the mode does not allow it. */
  detached(requested: boolean): boolean;
  /** The slots of each task executor of a cluster deployed for the application without a size. */
  defaultSlots(parallelism: number): number;
  /** The target, when the mode takes it; INVALID_ARGUMENT naming what it takes instead. */
  checkTarget(target: ClusterTarget): ClusterTarget;
  /** Where the application runs, for the event that accepts it. */
  describeTarget(submission: ApplicationSubmission): string;

  /** Gets the application running: its cluster found or deployed, the bundle on it, `main()` started where it runs. */
  launch(application: Application, services: ModeServices, signal: AbortSignal): Promise<LaunchedApplication>;
  /** FAILED_PRECONDITION when `request` is not for this mode's applications (their `main()` runs in the cluster). */
  requireClientMain(application: Application, request: ClientMainRequest): void;
  /** Runs a job a client-side `main()` submitted on the cluster the mode gives it. */
  submitJob(
    application: Application,
    graph: JobGraph,
    requestId: string,
    services: ModeServices,
    signal: AbortSignal,
  ): Promise<SubmittedClientJob>;
  /** FLIP-40's end rules as they apply in this mode, given the application's jobs. */
  settle(application: Application, jobs: ApplicationJobs): Settlement;
}
