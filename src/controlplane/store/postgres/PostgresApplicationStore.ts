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
  AwaitedClientMain,
} from '../ApplicationStore.js';
import type { PageTokens } from '../pageToken.js';
import {
  applicationChangeColumns,
  applicationFromRow as fromColumns,
  applicationToRow,
  type ApplicationRow,
} from '../rows/applicationRow.js';
import { POSTGRES_COLUMNS } from './postgresColumns.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { Assignments, insertRow, selectAll, selectOne } from './statements.js';

type Row = ApplicationRow<Date, boolean>;

/** The application of a row of this database. */
const applicationFromRow = (row: Row): Application => fromColumns(row, POSTGRES_COLUMNS);

const ENDED_SQL = "('FAILED', 'CANCELED', 'FINISHED')";

/** Applications in the state database. */
export class PostgresApplicationStore implements ApplicationStore {
  constructor(
    private readonly access: PostgresAccess,
    private readonly pages: PageTokens,
  ) {}

  async insert(application: Application): Promise<void> {
    await insertRow(this.access, 'applications', applicationToRow(application, POSTGRES_COLUMNS));
  }

  find(id: string): Promise<Application | undefined> {
    return this.findOne('SELECT * FROM applications WHERE id = $1', [id]);
  }

  /** `FOR UPDATE` waits for a unit that changed the row to end, then reads what it committed (READ COMMITTED). */
  findForUpdate(id: string): Promise<Application | undefined> {
    return this.findOne('SELECT * FROM applications WHERE id = $1 FOR UPDATE', [id]);
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

  findLatestByName(name: string, tenant: string): Promise<Application | undefined> {
    return this.findOne('SELECT * FROM applications WHERE tenant = $1 AND name = $2 ORDER BY ordinal DESC LIMIT 1', [
      tenant,
      name,
    ]);
  }

  async update(id: string, changes: ApplicationChanges): Promise<void> {
    const assignments = new Assignments(id);
    for (const [column, value] of applicationChangeColumns(changes, POSTGRES_COLUMNS)) assignments.set(column, value);
    await assignments.run(this.access, 'applications');
  }

  async list(request: ApplicationListRequest): Promise<ApplicationPage> {
    const { before, limit } = this.pages.startPage('applications', request);
    const filter = request.statuses.length > 0 ? 'AND status = ANY($4::text[])' : '';
    const { rows } = await this.access.query<Row>(
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

  /** How long each client has been silent is measured by the database's clock, as its heartbeats were recorded. */
  async awaitingClientMain(): Promise<AwaitedClientMain[]> {
    const { rows } = await this.access.query<{ id: string; silent_ms: number | null }>(
      `SELECT id, (EXTRACT(EPOCH FROM clock_timestamp() - client_heartbeat_at) * 1000)::double precision AS silent_ms
       FROM applications WHERE status NOT IN ${ENDED_SQL} AND mode IN ('SESSION', 'PER_JOB') AND client_main_ended_at IS NULL ORDER BY ordinal`,
    );
    return rows.map((row) => ({
      applicationId: row.id,
      silentMs: row.silent_ms === null ? undefined : Math.max(0, row.silent_ms),
    }));
  }

  async recordClientHeartbeat(id: string): Promise<void> {
    await this.access.query('UPDATE applications SET client_heartbeat_at = clock_timestamp() WHERE id = $1', [id]);
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
