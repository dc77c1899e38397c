/**
 * The contract between the user API and whatever runs jobs: a remote cluster's Dispatcher, a
 * driver's own cluster, or an in-process mini cluster. The API builds a {@link JobGraph} and hands
 * it over here; everything about transport and scheduling stays on the other side.
 */
import type { JobGraph } from '../jobgraph/jobGraph.js';
import type { JobStatus, SerializedError } from '../common/status.js';
import type { JobLivingPriority } from './ExecuteOptions.js';

/** How a job is submitted, besides its graph. */
export interface JobSubmitOptions {
  /** FLIP-40's living priority of the job; NORMAL when not given. */
  livingPriority?: JobLivingPriority;
}

/** Submits job graphs to a cluster. */
export interface JobSubmitter {
  /** Submits a job; resolves once the cluster accepted it, long before it ends. */
  submit(graph: JobGraph, options?: JobSubmitOptions): Promise<SubmittedJob>;
}

/** A job the cluster accepted. */
export interface SubmittedJob {
  /** The id the cluster gave the job. */
  readonly jobId: string;
  /** The job's current status. */
  getJobStatus(): Promise<JobStatus>;
  /** Asks the cluster to cancel the job; resolves once cancellation began. */
  cancel(): Promise<void>;
  /**
   * Waits for the job to end. A job that failed or was cancelled resolves too (its failure is a
   * result, not an error); the promise rejects only when the result cannot be obtained.
   */
  getJobResult(): Promise<JobResultWithRecords>;
}

/** What a job ended with, together with the records its collect sinks produced. */
export interface JobResultWithRecords {
  /** The job's id. */
  jobId: string;
  /** The terminal status: FINISHED, FAILED or CANCELED. */
  status: JobStatus;
  /** Why the job failed, as the user's code threw it, when it failed. */
  failure?: SerializedError;
  /** How long the job ran, in milliseconds. */
  durationMs: number;
  /**
   * The records of each collect sink, keyed by the id of the vertex whose chain ends in that sink
   * (a vertex holds at most one sink). A sink that produced nothing may be missing.
   */
  collected: ReadonlyMap<string, unknown[]>;
}
