/**
 * The entries of an application's event log. They mirror `flotilla.v1.ApplicationEvent`; each is
 * stored with a per-application sequence (from 1, without gaps) before anyone is sent it.
 */
import type { ExecutionState, JobStatus, LivingPriority, SerializedError } from '../../common/status.js';
import type { ApplicationStatus } from './ApplicationStatus.js';
import type { ClusterStatus } from './Cluster.js';

/** The application moved to a new status. */
export interface ApplicationStatusChanged {
  type: 'applicationStatusChanged';
  status: ApplicationStatus;
  failure?: SerializedError;
  message: string;
}

/** One of the application's jobs moved to a new status (relayed from its Dispatcher). */
export interface JobStatusChanged {
  type: 'jobStatusChanged';
  jobId: string;
  jobName: string;
  status: JobStatus;
  failure?: SerializedError;
  livingPriority: LivingPriority;
}

/** One task attempt of the application's jobs moved to a new state (relayed from its Dispatcher). */
export interface TaskStateChanged {
  type: 'taskStateChanged';
  jobId: string;
  vertexId: string;
  vertexName: string;
  subtaskIndex: number;
  attemptNumber: number;
  state: ExecutionState;
  failure?: SerializedError;
  taskExecutorId: string;
}

/** The application's cluster moved to a new status or made progress deploying. */
export interface ClusterStatusChanged {
  type: 'clusterStatusChanged';
  clusterId: string;
  status: ClusterStatus;
  message: string;
  jobmanagerAddress: string;
}

/** What happened. */
export type ApplicationEventKind = ApplicationStatusChanged | JobStatusChanged | TaskStateChanged | ClusterStatusChanged;

/** One stored entry of an application's event log. */
export interface ApplicationEvent {
  applicationId: string;
  /** Strictly increasing per application, from 1, without gaps. */
  sequence: number;
  time: Date;
  kind: ApplicationEventKind;
}
