/**
 * The jobs driver attempts submitted, as a port: one record per (application, attempt, ordinal),
 * written when the control plane learns of the submission and completed with the job's terminal
 * status and result, so that a later attempt replays what an earlier one already did.
 */
import type { JobStatus } from '../../common/status.js';
import type { DriverSubmission } from '../model/DriverSubmission.js';

/** How a recorded submission ended. */
export interface DriverSubmissionEnd {
  status: JobStatus;
  /** The job's serialized result; undefined when it was not kept (past the bound, or not read). */
  result?: Uint8Array;
  endTime: Date;
}

/** Driver submissions in the control plane's state. */
export interface DriverSubmissionStore {
  /**
   * Records a submission. The same (application, attempt, ordinal) again with the same job is
   * ignored (a relayed event repeated after a restart); with another job it is ALREADY_EXISTS.
   */
  record(submission: DriverSubmission): Promise<void>;
  /** Records the end of every submission of `jobId` (a replayed job is recorded under each attempt that used it); a recorded end is final. */
  ended(jobId: string, end: DriverSubmissionEnd): Promise<void>;
  /** Every submission of the application, by attempt and then ordinal. */
  ofApplication(applicationId: string): Promise<DriverSubmission[]>;
}
