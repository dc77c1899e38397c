/** The jobs of applications as the control plane records them: where each runs and how it ended. */
import type { JobStatus, LivingPriority, SerializedError } from '../../common/status.js';

/** One job of an application, on the cluster that runs it. */
export interface Job {
  id: string;
  applicationId: string;
  clusterId: string;
  name: string;
  livingPriority: LivingPriority;
  status: JobStatus;
  /** How many times the job restarted, as its cluster reported. */
  restarts: number;
  /** The client's request id of a SubmitJob; empty for jobs a driver submitted. */
  requestId: string;
  createTime: Date;
  endTime?: Date;
  failure?: SerializedError;
}
