/**
 * A cluster's Dispatcher as the control plane's domain sees it: bundles go up, driver jobs are
 * submitted and cancelled, the cluster's job events are followed, and the cluster is asked how it
 * is and told to stop. The gRPC implementation lives in `service/`; failures come back as domain
 * errors (an unreachable job manager as UnavailableError).
 */
import { OutOfRangeError } from '../../common/errors.js';
import type { LivingPriority } from '../../common/status.js';
import type { JobManagerAdmin } from '../../deployment/DeploymentTarget.js';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import type { ApplicationRestore } from '../../jobgraph/ApplicationRestore.js';
import type { ApplicationMainSubmission } from '../../dispatcher/DispatcherRequests.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';

declare const relayed: unique symbol;

/**
 * A message of the cluster's contract that the control plane passes on without reading it. Only the
 * adapters in `service/`, which know the contract, make one and open it again
 * (`service/relayedJobResultPart.ts`); the domain sees its kind and nothing else.
 */
export interface RelayedMessage<Kind extends string> {
  readonly [relayed]: Kind;
}

/**
 * A part of a job's result stream, passed through as the cluster sent it: the records of one
 * collect() sink (still encoded: the control plane relays them without reading them), or last the result.
 */
export type JobResultPart =
  | { $case: 'collected'; collected: RelayedMessage<'CollectedRecords'> }
  | { $case: 'result'; result: RelayedMessage<'JobResult'> };

/** A job to submit. */
export interface JobSubmission {
  graph: JobGraph;
  livingPriority: LivingPriority;
  applicationId: string;
  /** The same id again returns the first job, so a retried submission runs once. */
  requestId: string;
  /** For a driver job: its attempt and what the earlier attempts submitted (replay). */
  driverReplay?: DriverReplayRecord;
  /** For a driver job: where the jobs its `main()` submits restore their state from, by job name. */
  restore?: ApplicationRestore;
}

/** What a driver attempt is told of the earlier ones (`flotilla.v1.DriverReplay`). */
export interface DriverReplayRecord {
  attempt: number;
  attempts: number;
  /** The latest earlier submission at each ordinal, by ordinal. */
  submissions: {
    ordinal: number;
    fingerprint: string;
    jobId: string;
    jobName: string;
    attempt: number;
    /** The job's result with its collected records as {@link DispatcherGateway.jobResultRecord} encoded it, when kept. */
    result?: Uint8Array;
  }[];
}

/** Which stream a piece of a job's output was written to (the proto's LogStream names). */
export type JobOutputStream = 'STDOUT' | 'STDERR' | 'LOGGER';

/** A piece of a job's output as the Dispatcher keeps it: whole lines, at a byte offset of the job's output. */
export interface JobOutputChunk {
  offset: number;
  data: Uint8Array;
  stream: JobOutputStream;
  /** The offset to read from for what follows `data`. */
  nextOffset: number;
}

/** The Dispatcher no longer keeps the job's output from the offset asked for; `oldestOffset` is the oldest it keeps. */
export class JobOutputNotKeptError extends OutOfRangeError {
  override name = 'JobOutputNotKeptError';

  constructor(
    message: string,
    readonly oldestOffset: number,
  ) {
    super(message);
  }
}

/** One cluster's Dispatcher. */
export interface DispatcherGateway extends JobManagerAdmin {
  /** The job manager's HOST:PORT. */
  readonly address: string;
  /** Uploads a bundle file to the cluster's blob server unless it has it. */
  uploadBundle(file: string, fileName: string, signal?: AbortSignal): Promise<void>;
  /** Submits a job; resolves with its id. */
  submitJob(submission: JobSubmission, signal?: AbortSignal): Promise<string>;
  /** Starts cancelling a job. */
  cancelJob(jobId: string): Promise<void>;
  /**
   * Takes a savepoint of a running streaming job into a new folder under `targetDirectory` (with
   * `stop`, stop-with-savepoint: the job ends FINISHED after it); resolves with the savepoint's
   * folder once it is complete (and, with `stop`, once the job ended).
   */
  triggerSavepoint(jobId: string, targetDirectory: string, stop: boolean, signal?: AbortSignal): Promise<string>;
  /** Runs an application's main() in the job manager process (application mode); resolves with the id of its main job. */
  runApplicationMain(submission: ApplicationMainSubmission, signal?: AbortSignal): Promise<string>;
  /**
   * Waits for a job to end and returns its result with its collected records, encoded
   * (`flotilla.v1.RecordedJobResult`) for the control plane to keep; undefined when the encoding
   * would pass `maxBytes`.
   */
  jobResultRecord(jobId: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Waits for a job to end: the records of its collect() sinks, then its result, last. */
  requestJobResult(jobId: string, signal?: AbortSignal): AsyncIterable<JobResultPart>;
  /** The cluster's job events after a cluster-wide sequence, then live ones, until `signal` aborts or the stream breaks. */
  watchJobEvents(afterSequence: number, signal: AbortSignal): AsyncIterable<ClusterJobEvent>;
  /**
   * What a job's tasks wrote, from a byte offset, then (when following) new output until the job has
   * ended and everything was read. NotFoundError for a job the Dispatcher does not know,
   * JobOutputNotKeptError for an offset older than what it keeps.
   */
  readJobOutput(jobId: string, offset: number, follow: boolean, signal: AbortSignal): AsyncIterable<JobOutputChunk>;
  /**
   * Renews the cluster's lease in `holder`'s name (RenewClusterLease); resolves with the job
   * manager's lease time in milliseconds, 0 when it has none. UnavailableError past `timeoutMs` (default 5 s).
   */
  renewClusterLease(holder: string, options?: { timeoutMs?: number }): Promise<number>;
}

/**
 * Connects to the Dispatcher at HOST:PORT, presenting the cluster's secret when it has one and,
 * over TLS, checking that its certificate carries `serverName` (when given) instead of the host.
 */
export type ConnectDispatcher = (address: string, clusterSecret?: string, serverName?: string) => DispatcherGateway;
