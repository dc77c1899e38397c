/**
 * One job a driver attempt submitted, as the control plane records it for replay: a later attempt's
 * k-th submission is matched to the k-th of the earlier attempts by the fingerprint of its job
 * graph, and answered from this record (its result, collected records included) instead of
 * running again. The control plane owns the record, so a lost job manager loses none of it.
 */
import type { JobStatus } from '../../common/status.js';

/** A driver's submission of a job. */
export interface DriverSubmission {
  applicationId: string;
  /** The driver attempt that made it, from 1. */
  attempt: number;
  /** Its place among the attempt's submissions, from 1. */
  ordinal: number;
  /** The fingerprint of the submitted job graph (jobGraphFingerprint). */
  fingerprint: string;
  jobId: string;
  jobName: string;
  clusterId: string;
  submitTime: Date;
  /** The job's terminal status, once it ended. */
  status?: JobStatus;
  /** The job's result as the job manager answered it (serialized), collected records included; kept up to a bound. */
  result?: Uint8Array;
  endTime?: Date;
}
