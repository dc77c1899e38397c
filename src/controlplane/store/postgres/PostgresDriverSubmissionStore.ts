/**
 * The `driver_submissions` table (migration 2): the PostgreSQL {@link DriverSubmissionStore}. A
 * submission is inserted unless its (application, attempt, ordinal) is taken, in one statement, so
 * two replicas that hear of the same submission at once record it once; the one that finds another
 * job there is refused with ALREADY_EXISTS.
 */
import { AlreadyExistsError } from '../../../common/errors.js';
import type { JobStatus } from '../../../common/status.js';
import type { DriverSubmission } from '../../model/DriverSubmission.js';
import type { DriverSubmissionEnd, DriverSubmissionStore } from '../DriverSubmissionStore.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { selectAll } from './statements.js';

interface SubmissionRow {
  application_id: string;
  attempt: number;
  ordinal: number;
  fingerprint: string;
  job_id: string;
  job_name: string;
  cluster_id: string;
  status: JobStatus | null;
  result: Buffer | null;
  submitted_at: Date;
  ended_at: Date | null;
}

/** Driver submissions in the state database. */
export class PostgresDriverSubmissionStore implements DriverSubmissionStore {
  constructor(private readonly access: PostgresAccess) {}

  async record(submission: DriverSubmission): Promise<void> {
    const { applicationId, attempt, ordinal } = submission;
    const inserted = await this.access.query(
      `INSERT INTO driver_submissions (application_id, attempt, ordinal, fingerprint, job_id, job_name, cluster_id, status, result, submitted_at, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (application_id, attempt, ordinal) DO NOTHING`,
      [
        applicationId,
        attempt,
        ordinal,
        submission.fingerprint,
        submission.jobId,
        submission.jobName,
        submission.clusterId,
        submission.status ?? null,
        submission.result ? Buffer.from(submission.result) : null,
        submission.submitTime,
        submission.endTime ?? null,
      ],
    );
    if (inserted.rowCount === 1) return;
    const { rows } = await this.access.query<{ job_id: string }>(
      'SELECT job_id FROM driver_submissions WHERE application_id = $1 AND attempt = $2 AND ordinal = $3',
      [applicationId, attempt, ordinal],
    );
    const known = rows[0]?.job_id;
    if (known !== undefined && known !== submission.jobId) {
      throw new AlreadyExistsError(
        `submission ${ordinal} of attempt ${attempt} of application ${applicationId} is job ${known}, not ${submission.jobId}`,
      );
    }
  }

  async ended(jobId: string, end: DriverSubmissionEnd): Promise<void> {
    await this.access.query(
      'UPDATE driver_submissions SET status = $2, result = $3, ended_at = $4 WHERE job_id = $1 AND ended_at IS NULL',
      [jobId, end.status, end.result ? Buffer.from(end.result) : null, end.endTime],
    );
  }

  ofApplication(applicationId: string): Promise<DriverSubmission[]> {
    return selectAll(
      this.access,
      'SELECT * FROM driver_submissions WHERE application_id = $1 ORDER BY attempt, ordinal',
      [applicationId],
      fromRow,
    );
  }
}

function fromRow(row: SubmissionRow): DriverSubmission {
  const submission: DriverSubmission = {
    applicationId: row.application_id,
    attempt: row.attempt,
    ordinal: row.ordinal,
    fingerprint: row.fingerprint,
    jobId: row.job_id,
    jobName: row.job_name,
    clusterId: row.cluster_id,
    submitTime: row.submitted_at,
  };
  if (row.status !== null) submission.status = row.status;
  if (row.result !== null) submission.result = new Uint8Array(row.result);
  if (row.ended_at !== null) submission.endTime = row.ended_at;
  return submission;
}
