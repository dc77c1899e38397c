/**
 * The jobs of applications, as a port: every job the control plane submitted or heard of from a
 * cluster, with the cluster that runs it and its last status, so GetJob and ListJobs answer from
 * the store and a job's cluster is found after a restart.
 */
import type { JobStatus, SerializedError } from '../../common/status.js';
import type { Job } from '../model/Job.js';

/** A page of jobs. */
export interface JobPage {
  /** Newest first. */
  jobs: Job[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** What {@link JobStore.list} asks for; empty filters match every job. */
export interface JobListRequest {
  pageSize: number;
  pageToken: string;
  applicationId: string;
  clusterId: string;
  /** Only jobs of this tenant's applications. */
  tenant: string;
}

/** Jobs in the control plane's state. */
export interface JobStore {
  /** Records a job unless it is known; a known job keeps what it has (a relayed event may have come first), but gains a request id it lacked. */
  insert(job: Job): Promise<void>;
  /**
   * Moves a job to `status` (with its failure), unless it already ended: a terminal status is
   * final, so a late or repeated event cannot revive a job. Each move to RESTARTING counts a restart.
   */
  updateStatus(jobId: string, status: JobStatus, failure: SerializedError | undefined, time?: Date): Promise<void>;
  /**
   * A job lost with its cluster runs again on `clusterId` under the same id (a later driver
   * attempt's replay): it moves there, RESTARTING, its restarts counted one more, whatever status it had.
   */
  restartOn(jobId: string, clusterId: string): Promise<void>;
  /** The job, or undefined. */
  find(jobId: string): Promise<Job | undefined>;
  /** The job; NOT_FOUND naming the id when there is none, or (given `tenant`) when its application is another tenant's, with the same answer. */
  get(jobId: string, tenant?: string): Promise<Job>;
  /** The job an application's client submitted with this request id, if any. */
  findByRequestId(applicationId: string, requestId: string): Promise<Job | undefined>;
  /** The jobs of an application, oldest first. */
  ofApplication(applicationId: string): Promise<Job[]>;
  /** The jobs on a cluster that have not ended, oldest first. */
  activeOnCluster(clusterId: string): Promise<Job[]>;
  /** A page of a tenant's jobs, newest first. */
  list(request: JobListRequest): Promise<JobPage>;
}
