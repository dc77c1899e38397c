/**
 * The entries of an application's event log. They mirror `flotilla.v1.ApplicationEvent`; each is
 * stored with a per-application sequence (from 1, without gaps) before anyone is sent it.
 */
import type { ApplicationStatusChanged, JobStatusChanged, TaskStateChanged } from '../../runtime/JobEvent.js';
import type { ClusterStatus } from './Cluster.js';
import type { ApplicationSavepoint } from './ApplicationSavepoint.js';

/**
 * The application, one of its jobs, or one of their task attempts changed: the same changes the
 * Dispatcher records (the job and task ones are relayed from it as they are).
 */
export type { ApplicationStatusChanged, JobStatusChanged, TaskStateChanged } from '../../runtime/JobEvent.js';

/** The application's cluster moved to a new status or made progress deploying. */
export interface ClusterStatusChanged {
  type: 'clusterStatusChanged';
  clusterId: string;
  status: ClusterStatus;
  message: string;
  jobmanagerAddress: string;
  /** Task executors registered with its job manager when the event was recorded; absent in events recorded before it was. */
  registeredTaskExecutors?: number;
  /** Task executors it is deployed with; absent in events recorded before it was. */
  taskExecutors?: number;
}

/** A savepoint of the application was taken (TriggerSavepoint), or its jobs stopped with one (StopApplication). */
export interface ApplicationSavepointCompleted {
  type: 'applicationSavepointCompleted';
  savepoint: ApplicationSavepoint;
  /** Whether the jobs stopped with it (stop-with-savepoint). */
  stopped: boolean;
  message: string;
}

/** What happened. */
export type ApplicationEventKind =
  ApplicationStatusChanged | JobStatusChanged | TaskStateChanged | ClusterStatusChanged | ApplicationSavepointCompleted;

/** One stored entry of an application's event log. */
export interface ApplicationEvent {
  applicationId: string;
  /** Strictly increasing per application, from 1, without gaps. */
  sequence: number;
  time: Date;
  kind: ApplicationEventKind;
}
