/**
 * The `applications` table: the PostgreSQL {@link ApplicationStore}. Nothing is kept in memory
 * (unlike the SQLite store): other replicas write the same rows. Inside a unit of work, a lookup by
 * request id and the count of a tenant's applications take an advisory lock on what they looked
 * at, so that units that check and then insert (a submission with a request id, a tenant's limit)
 * run one after the other as they do on SQLite's single writer.
 */
import { NotFoundError } from '../../../common/errors.js';
import type { Application } from '../../model/Application.js';
import type {
  ApplicationChanges,
  ApplicationCount,
  ApplicationListRequest,
  ApplicationPage,
  ApplicationStore,
} from '../ApplicationStore.js';
import type { PageTokens } from '../pageToken.js';
import { applicationFromRow, applicationToRow, type ApplicationRow } from './applicationRows.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { Assignments, selectAll, selectOne } from './statements.js';

const ENDED_SQL = "('FAILED', 'CANCELED', 'FINISHED')";

/** Applications in the state database. */
export class PostgresApplicationStore implements ApplicationStore {
  constructor(
    private readonly access: PostgresAccess,
    private readonly pages: PageTokens,
  ) {}

  async insert(application: Application): Promise<void> {
    const row = applicationToRow(application);
    const columns = Object.keys(row);
    await this.access.query(
      `INSERT INTO applications (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
      Object.values(row),
    );
  }

  find(id: string): Promise<Application | undefined> {
    return this.findOne('SELECT * FROM applications WHERE id = $1', [id]);
  }

  async get(id: string, tenant?: string): Promise<Application> {
    const application = await this.find(id);
    if (!application || (tenant !== undefined && application.tenant !== tenant))
      throw new NotFoundError(`application ${JSON.stringify(id)} is not known to this control plane`);
    return application;
  }

  async findByRequestId(requestId: string, tenant: string): Promise<Application | undefined> {
    await this.access.lockInUnit(`flotilla: application request ${JSON.stringify([tenant, requestId])}`);
    return this.findOne('SELECT * FROM applications WHERE request_id = $1 AND tenant = $2', [requestId, tenant]);
  }

  async update(id: string, changes: ApplicationChanges): Promise<void> {
    const assignments = new Assignments(id);
    const set = (column: string, value: unknown) => assignments.set(column, value);
    const json = (value: unknown) => (value ? JSON.stringify(value) : null);
    if (changes.status !== undefined) set('status', changes.status);
    if (changes.clusterId !== undefined) set('cluster_id', changes.clusterId || null);
    if (changes.ownsCluster !== undefined) set('owns_cluster', changes.ownsCluster);
    if (changes.driverJobId !== undefined) set('driver_job_id', changes.driverJobId);
    if (changes.jobIds !== undefined) set('job_ids_json', JSON.stringify(changes.jobIds));
    if ('failure' in changes) set('failure_json', json(changes.failure));
    if (changes.endTime !== undefined) set('ended_at', changes.endTime);
    if (changes.clientMainEndTime !== undefined) set('client_main_ended_at', changes.clientMainEndTime);
    if ('clientMainFailure' in changes) set('client_main_failure_json', json(changes.clientMainFailure));
    await assignments.run(this.access, 'applications');
  }

  async list(request: ApplicationListRequest): Promise<ApplicationPage> {
    const { before, limit } = this.pages.startPage('applications', request);
    const filter = request.statuses.length > 0 ? 'AND status = ANY($4::text[])' : '';
    const { rows } = await this.access.query<ApplicationRow>(
      `SELECT * FROM applications WHERE tenant = $1 AND ordinal < $2 ${filter} ORDER BY ordinal DESC LIMIT $3`,
      [request.tenant, before, limit, ...(filter ? [request.statuses] : [])],
    );
    const page = this.pages.endPage('applications', request, rows);
    return { applications: page.rows.map(applicationFromRow), nextPageToken: page.nextPageToken };
  }

  async countActive(tenant: string): Promise<number> {
    await this.access.lockInUnit(`flotilla: applications of tenant ${JSON.stringify(tenant)}`);
    const { rows } = await this.access.query<{ count: number }>(
      `SELECT COUNT(*) AS count FROM applications WHERE tenant = $1 AND status NOT IN ${ENDED_SQL}`,
      [tenant],
    );
    return rows[0].count;
  }

  async countByStatusAndMode(): Promise<ApplicationCount[]> {
    const { rows } = await this.access.query<ApplicationCount>(
      'SELECT tenant, status, mode, COUNT(*) AS count FROM applications GROUP BY tenant, status, mode',
    );
    return rows;
  }

  active(): Promise<Application[]> {
    return this.findAll(`SELECT * FROM applications WHERE status NOT IN ${ENDED_SQL} ORDER BY ordinal`);
  }

  async awaitingClientMain(): Promise<string[]> {
    const { rows } = await this.access.query<{ id: string }>(
      `SELECT id FROM applications WHERE status NOT IN ${ENDED_SQL} AND mode IN ('SESSION', 'PER_JOB') AND client_main_ended_at IS NULL ORDER BY ordinal`,
    );
    return rows.map((row) => row.id);
  }

  activeOnCluster(clusterId: string): Promise<Application[]> {
    return this.findAll(
      `SELECT * FROM applications WHERE cluster_id = $1 AND status NOT IN ${ENDED_SQL} ORDER BY ordinal`,
      [clusterId],
    );
  }

  private findOne(sql: string, values: unknown[]): Promise<Application | undefined> {
    return selectOne(this.access, sql, values, applicationFromRow);
  }

  private findAll(sql: string, values: unknown[] = []): Promise<Application[]> {
    return selectAll(this.access, sql, values, applicationFromRow);
  }
}
