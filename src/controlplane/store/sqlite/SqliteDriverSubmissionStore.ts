/** The `driver_submissions` table (migration 11): the SQLite {@link DriverSubmissionStore}. */
import { AlreadyExistsError } from '../../../common/errors.js';
import type { JobStatus } from '../../../common/status.js';
import type { DriverSubmission } from '../../model/DriverSubmission.js';
import type { DriverSubmissionEnd, DriverSubmissionStore } from '../DriverSubmissionStore.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface SubmissionRow {
  application_id: string;
  attempt: number;
  ordinal: number;
  fingerprint: string;
  job_id: string;
  job_name: string;
  cluster_id: string;
  status: JobStatus | null;
  result: Uint8Array | null;
  submitted_at: number;
  ended_at: number | null;
}

/** Driver submissions in the state database. */
export class SqliteDriverSubmissionStore implements DriverSubmissionStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
  ) {}

  record(submission: DriverSubmission): Promise<void> {
    return this.access.write(() => {
      const { applicationId, attempt, ordinal } = submission;
      const known = this.db
        .prepare('SELECT job_id FROM driver_submissions WHERE application_id = ? AND attempt = ? AND ordinal = ?')
        .get(applicationId, attempt, ordinal) as { job_id: string } | undefined;
      if (known?.job_id === submission.jobId) return;
      if (known) {
        throw new AlreadyExistsError(
          `submission ${ordinal} of attempt ${attempt} of application ${applicationId} is job ${known.job_id}, not ${submission.jobId}`,
        );
      }
      this.db
        .prepare(
          `INSERT INTO driver_submissions (application_id, attempt, ordinal, fingerprint, job_id, job_name, cluster_id, status, result, submitted_at, ended_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          applicationId,
          attempt,
          ordinal,
          submission.fingerprint,
          submission.jobId,
          submission.jobName,
          submission.clusterId,
          submission.status ?? null,
          submission.result ?? null,
          submission.submitTime.getTime(),
          submission.endTime?.getTime() ?? null,
        );
    });
  }

  ended(jobId: string, end: DriverSubmissionEnd): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          'UPDATE driver_submissions SET status = ?, result = ?, ended_at = ? WHERE job_id = ? AND ended_at IS NULL',
        )
        .run(end.status, end.result ?? null, end.endTime.getTime(), jobId);
    });
  }

  ofApplication(applicationId: string): Promise<DriverSubmission[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare('SELECT * FROM driver_submissions WHERE application_id = ? ORDER BY attempt, ordinal')
        .all(applicationId) as SubmissionRow[];
      return rows.map(fromRow);
    });
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
    submitTime: new Date(row.submitted_at),
  };
  if (row.status !== null) submission.status = row.status;
  if (row.result !== null) submission.result = new Uint8Array(row.result);
  if (row.ended_at !== null) submission.endTime = new Date(row.ended_at);
  return submission;
}
