/**
 * A job event as a cluster's Dispatcher streams it to the control plane (WatchJobEvents): numbered
 * across the cluster, tagged with the application the job belongs to.
 */
import type { SerializedError } from '../../common/status.js';
import type { JobStatusChanged, TaskStateChanged } from './ApplicationEvent.js';
import type { ApplicationStatus } from './ApplicationStatus.js';

/** The Dispatcher's own verdict on an application (FLIP-40): RUNNING when the driver starts, then one terminal status. */
export interface DispatcherApplicationStatusChanged {
  type: 'applicationStatusChanged';
  status: ApplicationStatus;
  failure?: SerializedError;
  message: string;
  /** The driver job of the attempt the verdict is about; empty from a job manager that does not say. */
  driverJobId?: string;
}

/** One event of a cluster's job event log. */
export interface ClusterJobEvent {
  /** Cluster-wide, strictly increasing from 1. */
  sequence: number;
  time: Date;
  /** Empty when the job belongs to no application. */
  applicationId: string;
  /** Undefined for an event this build cannot read (from a newer job manager): it is skipped, but its sequence still counts. */
  kind: JobStatusChanged | TaskStateChanged | DispatcherApplicationStatusChanged | undefined;
}
