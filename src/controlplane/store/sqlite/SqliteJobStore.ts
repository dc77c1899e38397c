/**
 * The `jobs` table: the SQLite {@link JobStore}. Written when SubmitJob is accepted and with each
 * relayed job status change.
 */
import { NotFoundError } from '../../../common/errors.js';
import { isTerminalJobStatus, type JobStatus, type SerializedError } from '../../../common/status.js';
import type { Job } from '../../model/Job.js';
import type { JobListRequest, JobPage, JobStore } from '../JobStore.js';
import type { PageTokens } from '../pageToken.js';
import { jobFromRow, type JobRow as Row } from '../rows/jobRow.js';
import type { SqliteAccess } from './SqliteAccess.js';
import { SQLITE_COLUMNS } from './sqliteColumns.js';
import type { StateDatabase } from './stateDatabase.js';

type JobRow = Row<number>;

/** The job of a row of this database. */
const fromRow = (row: JobRow): Job => jobFromRow(row, SQLITE_COLUMNS);

/** Jobs in the state database. */
export class SqliteJobStore implements JobStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
    private readonly pages: PageTokens,
  ) {}

  insert(job: Job): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          `INSERT INTO jobs (id, application_id, cluster_id, name, living_priority, status, request_id, created_at, ended_at, failure_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET request_id = COALESCE(jobs.request_id, excluded.request_id)`,
        )
        .run(
          job.id,
          job.applicationId,
          job.clusterId,
          job.name,
          job.livingPriority,
          job.status,
          job.requestId || null,
          job.createTime.getTime(),
          job.endTime?.getTime() ?? null,
          job.failure ? JSON.stringify(job.failure) : null,
        );
    });
  }

  updateStatus(
    jobId: string,
    status: JobStatus,
    failure: SerializedError | undefined,
    time = new Date(),
  ): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          `UPDATE jobs SET status = ?, failure_json = COALESCE(?, failure_json), ended_at = ?, restarts = restarts + ?
         WHERE id = ? AND status NOT IN ('FINISHED', 'FAILED', 'CANCELED')`,
        )
        .run(
          status,
          failure ? JSON.stringify(failure) : null,
          isTerminalJobStatus(status) ? time.getTime() : null,
          status === 'RESTARTING' ? 1 : 0,
          jobId,
        );
    });
  }

  restartOn(jobId: string, clusterId: string): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          `UPDATE jobs SET cluster_id = ?, status = 'RESTARTING', ended_at = NULL, restarts = restarts + 1 WHERE id = ?`,
        )
        .run(clusterId, jobId);
    });
  }

  find(jobId: string): Promise<Job | undefined> {
    return this.access.read(() => this.findNow(jobId));
  }

  get(jobId: string, tenant?: string): Promise<Job> {
    return this.access.read(() => {
      const job = tenant === undefined ? this.findNow(jobId) : this.findOfTenant(jobId, tenant);
      if (!job) throw new NotFoundError(`job ${JSON.stringify(jobId)} is not known to this control plane`);
      return job;
    });
  }

  private findNow(jobId: string): Job | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return row && fromRow(row);
  }

  /** The job, if it belongs to an application of `tenant`. */
  private findOfTenant(jobId: string, tenant: string): Job | undefined {
    const row = this.db
      .prepare(
        'SELECT jobs.* FROM jobs JOIN applications ON applications.id = jobs.application_id WHERE jobs.id = ? AND applications.tenant = ?',
      )
      .get(jobId, tenant) as JobRow | undefined;
    return row && fromRow(row);
  }

  findByRequestId(applicationId: string, requestId: string): Promise<Job | undefined> {
    return this.access.read(() => {
      const row = this.db
        .prepare('SELECT * FROM jobs WHERE application_id = ? AND request_id = ?')
        .get(applicationId, requestId) as JobRow | undefined;
      return row && fromRow(row);
    });
  }

  ofApplication(applicationId: string): Promise<Job[]> {
    return this.access.read(() =>
      (
        this.db.prepare('SELECT * FROM jobs WHERE application_id = ? ORDER BY ordinal').all(applicationId) as JobRow[]
      ).map(fromRow),
    );
  }

  activeOnCluster(clusterId: string): Promise<Job[]> {
    return this.access.read(() =>
      (
        this.db
          .prepare(
            "SELECT * FROM jobs WHERE cluster_id = ? AND status NOT IN ('FINISHED', 'FAILED', 'CANCELED') ORDER BY ordinal",
          )
          .all(clusterId) as JobRow[]
      ).map(fromRow),
    );
  }

  list(request: JobListRequest): Promise<JobPage> {
    return this.access.read(() => this.listNow(request));
  }

  private listNow(request: JobListRequest): JobPage {
    const { applicationId, clusterId, tenant } = request;
    const { rows, nextPageToken } = this.pages.readPage(
      'jobs',
      request,
      (before, limit) =>
        this.db
          .prepare(
            `SELECT jobs.* FROM jobs JOIN applications ON applications.id = jobs.application_id
             WHERE applications.tenant = ? AND jobs.ordinal < ? AND (? = '' OR jobs.application_id = ?) AND (? = '' OR jobs.cluster_id = ?)
             ORDER BY jobs.ordinal DESC LIMIT ?`,
          )
          .all(tenant, before, applicationId, applicationId, clusterId, clusterId, limit) as JobRow[],
    );
    return { jobs: rows.map(fromRow), nextPageToken };
  }
}
