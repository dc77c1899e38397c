/**
 * What a Dispatcher is asked and what it answers, beside the domain objects (jobs, summaries,
 * events, results) that have files of their own.
 */
import type { LivingPriority } from '../common/status.js';
import type { BundleReference, JobGraph, ResourceProfile } from '../jobgraph/jobGraph.js';
import type { JobSummary } from './JobSummary.js';
import type { DriverReplay } from './DriverReplay.js';
import type { ApplicationRestore } from '../jobgraph/ApplicationRestore.js';

/** A job to submit. */
export interface JobSubmission {
  graph: JobGraph;
  livingPriority: LivingPriority;
  /** Empty when the job belongs to no application. */
  applicationId: string;
  /** The submitter's id for this submission: the same id again returns the first job (idempotent retries). */
  requestId?: string;
  /** For a job a driver submits: its place among its driver attempt's submissions, from 1. */
  driverOrdinal?: number;
  /** For a DRIVER job: its attempt and what the earlier attempts submitted (replay). */
  driverReplay?: DriverReplay;
  /** For a DRIVER job: the savepoints the jobs its `main()` submits restore from, by job name. */
  restore?: ApplicationRestore;
}

/** A page of `Dispatcher.listJobs`. */
export interface JobPage {
  /** Newest first. */
  jobs: JobSummary[];
  /** The token of the next page; empty on the last page. */
  nextPageToken: string;
}

/** How many of the kept jobs are in which group of statuses (for RequestClusterOverview). */
export interface JobCounts {
  /** Not yet in a terminal status. */
  running: number;
  finished: number;
  cancelled: number;
  failed: number;
}

/** What `Dispatcher.watchJobEvents` asks for. */
export interface WatchJobEventsRequest {
  /** Events after this cluster-wide sequence; 0 for all kept events. */
  afterSequence: number;
  /**
   * Only this job's events, when set; a followed watch of one job ends after the job's terminal
   * status (of a driver job: after its application's terminal status, which is among its events).
   */
  jobId?: string;
  /** Keep yielding new events after the recorded ones. */
  follow: boolean;
  /** The caller's signal: aborting it releases the watch. */
  signal?: AbortSignal;
}

/** An application's `main()` to run in the job manager's own process (application mode). */
export interface ApplicationMainSubmission {
  applicationId: string;
  /** The prefix of the names of the jobs `main()` submits. */
  applicationName: string;
  bundle: BundleReference;
  /** `module#export`; an empty module means the bundle's main module. */
  entry: string;
  args: string[];
  /** The parallelism of jobs that set none; at least 1. */
  defaultParallelism: number;
  properties: Record<string, string>;
  /** The limits of `main()`'s worker thread (heap, direct, native memory; 0 for none); cpus are not reserved. */
  resources: ResourceProfile;
  /** The submitter's id for this submission: the same id again returns the first main job. */
  requestId?: string;
  /** The savepoints the jobs `main()` submits restore from, by job name. */
  restore?: ApplicationRestore;
}

/** What `Dispatcher.triggerSavepoint` is asked. */
export interface SavepointRequest {
  /** The folder in which the savepoint's own folder is made; undefined means the job's `state.savepoints.dir`. */
  targetDirectory?: string;
  /** Stop the job with the savepoint (it ends FINISHED). */
  stop: boolean;
}

/** A completed savepoint. */
export interface SavepointResult {
  /** The absolute folder that holds its `_metadata`. */
  savepointPath: string;
  checkpointId: number;
}
