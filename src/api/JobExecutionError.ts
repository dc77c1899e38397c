/**
 * The error `execute()` and `JobClient.getJobExecutionResult()` reject with when a job did not
 * finish (Flink's JobExecutionException). A job's failure travels as a result from the cluster;
 * here it becomes an error again, with the user's own error rebuilt as its `cause`, so that
 * `main()` sees the message it threw on a worker and can catch or rethrow it.
 */
import type { JobStatus } from '../common/status.js';
import { FlotillaError } from '../common/errors.js';

/** What a {@link JobExecutionError} is made from. */
export interface JobExecutionErrorDetails {
  /** The job's id. */
  jobId: string;
  /** The job's name, for the message. */
  jobName: string;
  /** The status the job ended in (FAILED, CANCELED, or anything but FINISHED). */
  status: JobStatus;
  /** The user's error, rebuilt from the job's failure, when there was one. */
  cause?: Error;
}

/** A job ended without finishing: it failed or was cancelled. */
export class JobExecutionError extends FlotillaError {
  override name = 'JobExecutionError';
  /** The job's id. */
  readonly jobId: string;
  /** The status the job ended in. */
  readonly status: JobStatus;

  constructor(details: JobExecutionErrorDetails) {
    super(messageOf(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.jobId = details.jobId;
    this.status = details.status;
  }
}

function messageOf({ jobId, jobName, status, cause }: JobExecutionErrorDetails): string {
  const job = `job "${jobName}" (${jobId})`;
  const reason = cause === undefined ? '' : `: ${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}`;
  switch (status) {
    case 'FAILED':
      return cause === undefined ? `${job} failed without a reported cause` : `${job} failed${reason}`;
    case 'CANCELED':
      return `${job} was canceled${reason}`;
    default:
      return `${job} ended in status ${status}${reason}`;
  }
}
