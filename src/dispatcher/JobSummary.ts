/** A job as the Dispatcher lists it (GetJob, ListJobs, CancelJob); mirrors `flotilla.v1.JobSummary`. */
import type { ExecutionState, JobStatus, LivingPriority, SerializedError } from '../common/status.js';

/** How many subtasks are in one execution state. */
export interface TaskStateCount {
  state: ExecutionState;
  count: number;
}

/** One job of the cluster. */
export interface JobSummary {
  id: string;
  name: string;
  status: JobStatus;
  livingPriority: LivingPriority;
  /** Empty when the job belongs to no application. */
  applicationId: string;
  clusterId: string;
  submitTime: Date;
  /** Once the job reached a terminal status. */
  endTime?: Date;
  /** Why the job failed, when it did. */
  failure?: SerializedError;
  restarts: number;
  /** In Flink's lifecycle order; states with no subtask are left out. */
  taskCounts: TaskStateCount[];
}
