/**
 * The entries of a cluster's job event log, as a job manager records them: every job status change,
 * every task state change and every status change of a driver-mode application, numbered across
 * the cluster and within the job, so that a watcher can resume exactly where it stopped. The
 * Dispatcher and the simulated deployment target's job manager record them and the control plane
 * follows them, so they live in src/runtime, which none of them owns. Mirrors `flotilla.v1.JobEvent`;
 * `src/runtime/service/jobEvents.ts` converts.
 */
import type { ExecutionState, JobStatus, LivingPriority, SerializedError } from '../common/status.js';
import type { ApplicationStatus } from '../common/status.js';

/** A job moved to a new status (Flink's JobStatus). */
export interface JobStatusChanged {
  type: 'jobStatusChanged';
  jobId: string;
  jobName: string;
  status: JobStatus;
  /** Why the job fails, restarts or failed, when it does. */
  failure?: SerializedError;
  livingPriority: LivingPriority;
  /** For a job a driver submitted: which submission of its attempt it is, and how a later attempt's was answered. */
  submission?: DriverSubmissionRef;
}

/** How a later driver attempt's submission was answered from the record of an earlier attempt (replay). */
export type DriverReplayKind = 'REPLAYED' | 'ATTACHED' | 'RESUBMITTED';

/** A job as one submission of a driver attempt. */
export interface DriverSubmissionRef {
  /** The driver attempt that made the submission, from 1. */
  attempt: number;
  /** Its place among the attempt's submissions, from 1. */
  ordinal: number;
  /** The fingerprint of its job graph (jobGraphFingerprint). */
  fingerprint: string;
  /** Set when the submission was matched to an earlier attempt's: how it was answered. */
  replay?: DriverReplayKind;
  /** The earlier attempt it was matched to, with `replay`. */
  replayedAttempt?: number;
}

/** One execution attempt of one subtask moved to a new state (Flink's ExecutionState). */
export interface TaskStateChanged {
  type: 'taskStateChanged';
  jobId: string;
  vertexId: string;
  vertexName: string;
  subtaskIndex: number;
  attemptNumber: number;
  state: ExecutionState;
  /** Why the attempt failed, when it did. */
  failure?: SerializedError;
  /** The task executor whose slot the attempt runs in; empty before it has one. */
  taskExecutorId: string;
}

/**
 * A driver-mode application moved to a new status under the FLIP-40 rules. It is recorded as an
 * event of the application's driver job (its `jobId` and `jobSequence` are the driver job's).
 */
export interface ApplicationStatusChanged {
  type: 'applicationStatusChanged';
  status: ApplicationStatus;
  /** Why the application fails or failed (FAILING, FAILED). */
  failure?: SerializedError;
  /** A short reason for the change, for people. */
  message: string;
  /** The driver job of the attempt this is about, when a Dispatcher reports it (a later driver attempt has another). */
  driverJobId?: string;
}

/** A checkpoint or savepoint of a job completed: every task acknowledged it and it was stored. */
export interface CheckpointCompleted {
  type: 'checkpointCompleted';
  jobId: string;
  checkpointId: number;
  /** A savepoint (TriggerSavepoint) rather than a periodic checkpoint. */
  savepoint: boolean;
  /** The folder holding its `_metadata`, when the storage is a folder; empty when kept in memory only. */
  externalPath: string;
  completedAt: Date;
}

/** What happened, in any job manager's log (the simulated deployment target's too). */
export type JobEventKind = JobStatusChanged | TaskStateChanged | ApplicationStatusChanged;

/** What happened, in a Dispatcher's log: also the jobs' completed checkpoints. */
export type DispatcherEventKind = JobEventKind | CheckpointCompleted;

/** One entry of the job event log. */
export interface JobEvent<Kind extends DispatcherEventKind = JobEventKind> {
  /** Strictly increasing across the cluster, from 1, without gaps. */
  sequence: number;
  /** Strictly increasing among the events of the job, from 1, without gaps. */
  jobSequence: number;
  /** When it happened. */
  time: Date;
  /** The application the job belongs to; empty when none. */
  applicationId: string;
  /** The job it belongs to; for an application's status, its driver job. */
  jobId: string;
  kind: Kind;
}
