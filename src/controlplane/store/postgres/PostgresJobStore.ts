/**
 * The `jobs` table: the PostgreSQL {@link JobStore}. Written when SubmitJob is accepted and with
 * each relayed job status change; a terminal status is final, checked by the update itself.
 */
import { NotFoundError } from '../../../common/errors.js';
import { isTerminalJobStatus, type JobStatus, type SerializedError } from '../../../common/status.js';
import type { Job } from '../../model/Job.js';
import type { JobListRequest, JobPage, JobStore } from '../JobStore.js';
import type { PageTokens } from '../pageToken.js';
import { jobFromRow, type JobRow as Row } from '../rows/jobRow.js';
import { POSTGRES_COLUMNS } from './postgresColumns.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { selectAll, selectOne } from './statements.js';

type JobRow = Row<Date>;

/** The job of a row of this database. */
const fromRow = (row: JobRow): Job => jobFromRow(row, POSTGRES_COLUMNS);

/** Jobs in the state database. */
export class PostgresJobStore implements JobStore {
  constructor(
    private readonly access: PostgresAccess,
    private readonly pages: PageTokens,
  ) {}

  async insert(job: Job): Promise<void> {
    await this.access.query(
      `INSERT INTO jobs (id, application_id, cluster_id, name, living_priority, status, request_id, created_at, ended_at, failure_json)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET request_id = COALESCE(jobs.request_id, excluded.request_id)`,
      [
        job.id,
        job.applicationId,
        job.clusterId,
        job.name,
        job.livingPriority,
        job.status,
        job.requestId || null,
        job.createTime,
        job.endTime ?? null,
        job.failure ? JSON.stringify(job.failure) : null,
      ],
    );
  }

  async updateStatus(
    jobId: string,
    status: JobStatus,
    failure: SerializedError | undefined,
    time = new Date(),
  ): Promise<void> {
    await this.access.query(
      `UPDATE jobs SET status = $2, failure_json = COALESCE($3, failure_json), ended_at = $4, restarts = restarts + $5
       WHERE id = $1 AND status NOT IN ('FINISHED', 'FAILED', 'CANCELED')`,
      [
        jobId,
        status,
        failure ? JSON.stringify(failure) : null,
        isTerminalJobStatus(status) ? time : null,
        status === 'RESTARTING' ? 1 : 0,
      ],
    );
  }

  async restartOn(jobId: string, clusterId: string): Promise<void> {
    await this.access.query(
      `UPDATE jobs SET cluster_id = $2, status = 'RESTARTING', ended_at = NULL, restarts = restarts + 1 WHERE id = $1`,
      [jobId, clusterId],
    );
  }

  find(jobId: string): Promise<Job | undefined> {
    return this.findOne('SELECT * FROM jobs WHERE id = $1', [jobId]);
  }

  async get(jobId: string, tenant?: string): Promise<Job> {
    const job =
      tenant === undefined
        ? await this.find(jobId)
        : await this.findOne(
            'SELECT jobs.* FROM jobs JOIN applications ON applications.id = jobs.application_id WHERE jobs.id = $1 AND applications.tenant = $2',
            [jobId, tenant],
          );
    if (!job) throw new NotFoundError(`job ${JSON.stringify(jobId)} is not known to this control plane`);
    return job;
  }

  async findByRequestId(applicationId: string, requestId: string): Promise<Job | undefined> {
    await this.access.lockInUnit(`flotilla: job request ${JSON.stringify([applicationId, requestId])}`);
    return this.findOne('SELECT * FROM jobs WHERE application_id = $1 AND request_id = $2', [applicationId, requestId]);
  }

  ofApplication(applicationId: string): Promise<Job[]> {
    return this.findAll('SELECT * FROM jobs WHERE application_id = $1 ORDER BY ordinal', [applicationId]);
  }

  activeOnCluster(clusterId: string): Promise<Job[]> {
    return this.findAll(
      "SELECT * FROM jobs WHERE cluster_id = $1 AND status NOT IN ('FINISHED', 'FAILED', 'CANCELED') ORDER BY ordinal",
      [clusterId],
    );
  }

  async list(request: JobListRequest): Promise<JobPage> {
    const { before, limit } = this.pages.startPage('jobs', request);
    const { rows } = await this.access.query<JobRow>(
      `SELECT jobs.* FROM jobs JOIN applications ON applications.id = jobs.application_id
       WHERE applications.tenant = $1 AND jobs.ordinal < $2 AND ($3::text = '' OR jobs.application_id = $3)
         AND ($4::text = '' OR jobs.cluster_id = $4)
       ORDER BY jobs.ordinal DESC LIMIT $5`,
      [request.tenant, before, request.applicationId, request.clusterId, limit],
    );
    const page = this.pages.endPage('jobs', request, rows);
    return { jobs: page.rows.map(fromRow), nextPageToken: page.nextPageToken };
  }

  private findOne(sql: string, values: unknown[]): Promise<Job | undefined> {
    return selectOne(this.access, sql, values, fromRow);
  }

  private findAll(sql: string, values: unknown[]): Promise<Job[]> {
    return selectAll(this.access, sql, values, fromRow);
  }
}
