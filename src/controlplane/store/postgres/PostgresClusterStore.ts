/**
 * The `clusters` table: the PostgreSQL {@link ClusterStore}. Nothing is kept in memory: other
 * replicas write the same rows. Inside a unit of work, counting a tenant's live clusters takes a
 * transaction-scoped advisory lock on the tenant, held until the unit ends, so that units that
 * count and insert for one tenant run one after the other (the port's requirement for a tenant's
 * limits: two deployments cannot both see room for one more), while other tenants' units go on.
 * An insert takes no lock: a tenant with limits counts before every insert, and one without
 * counts never, so its deployments need not wait for each other. A lookup by request id locks
 * that request id, so a retried deployment finds the first one.
 */
import type { Cluster } from '../../model/Cluster.js';
import {
  UnknownClusterError,
  type ClusterChanges,
  type ClusterListRequest,
  type ClusterPage,
  type ClusterStore,
  type LiveClusterCount,
} from '../ClusterStore.js';
import type { PageTokens } from '../pageToken.js';
import { clusterChangeColumns, clusterFromRow, clusterToRow, type ClusterRow as Row } from '../rows/clusterRow.js';
import { POSTGRES_COLUMNS } from './postgresColumns.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { Assignments, insertRow, selectAll, selectOne } from './statements.js';

type ClusterRow = Row<Date>;

/** The cluster of a row of this database. */
const fromRow = (row: ClusterRow): Cluster => clusterFromRow(row, POSTGRES_COLUMNS);

const LIVE_SQL = "status NOT IN ('STOPPED', 'FAILED')";

/** The advisory lock of a tenant's deployed clusters. */
const tenantLock = (tenant: string) => `flotilla: clusters of tenant ${JSON.stringify(tenant)}`;

/** Clusters in the state database. */
export class PostgresClusterStore implements ClusterStore {
  constructor(
    private readonly access: PostgresAccess,
    private readonly pages: PageTokens,
  ) {}

  async insert(cluster: Cluster): Promise<void> {
    await insertRow(this.access, 'clusters', clusterToRow(cluster, POSTGRES_COLUMNS));
  }

  find(id: string): Promise<Cluster | undefined> {
    return this.findOne('SELECT * FROM clusters WHERE id = $1', [id]);
  }

  async get(id: string, tenant?: string): Promise<Cluster> {
    const cluster = await this.find(id);
    if (!cluster || (tenant !== undefined && cluster.tenant !== tenant))
      throw new UnknownClusterError(`cluster ${JSON.stringify(id)} is not known to this control plane`);
    return cluster;
  }

  async findByRequestId(requestId: string, tenant: string): Promise<Cluster | undefined> {
    await this.access.lockInUnit(`flotilla: cluster request ${JSON.stringify([tenant, requestId])}`);
    return this.findOne('SELECT * FROM clusters WHERE request_id = $1 AND tenant = $2', [requestId, tenant]);
  }

  findLiveExternal(address: string, tenant: string): Promise<Cluster | undefined> {
    return this.findOne(
      `SELECT * FROM clusters WHERE deployment_target = 'external' AND jobmanager_address = $1 AND tenant = $2 AND ${LIVE_SQL} ORDER BY ordinal DESC LIMIT 1`,
      [address, tenant],
    );
  }

  findLiveDeployed(address: string, tenant: string): Promise<Cluster | undefined> {
    return this.findOne(
      "SELECT * FROM clusters WHERE deployment_target <> 'external' AND jobmanager_address = $1 AND tenant = $2 AND status = 'RUNNING' ORDER BY ordinal DESC LIMIT 1",
      [address, tenant],
    );
  }

  async update(id: string, changes: ClusterChanges): Promise<void> {
    const assignments = new Assignments(id);
    for (const [column, value] of clusterChangeColumns(changes, POSTGRES_COLUMNS)) assignments.set(column, value);
    await assignments.run(this.access, 'clusters');
  }

  async setLastJobEventSequence(clusterId: string, sequence: number): Promise<void> {
    await this.access.query('UPDATE clusters SET last_job_event_sequence = $2 WHERE id = $1', [clusterId, sequence]);
  }

  async list(request: ClusterListRequest): Promise<ClusterPage> {
    const { before, limit } = this.pages.startPage('clusters', request);
    const filter = request.statuses.length > 0 ? 'AND status = ANY($4::text[])' : '';
    const { rows } = await this.access.query<ClusterRow>(
      `SELECT * FROM clusters WHERE tenant = $1 AND ordinal < $2 ${filter} ORDER BY ordinal DESC LIMIT $3`,
      [request.tenant, before, limit, ...(filter ? [request.statuses] : [])],
    );
    const page = this.pages.endPage('clusters', request, rows);
    return { clusters: page.rows.map(fromRow), nextPageToken: page.nextPageToken };
  }

  activeOwnedBy(applicationId: string): Promise<Cluster[]> {
    return this.findAll(`SELECT * FROM clusters WHERE owner_application_id = $1 AND ${LIVE_SQL} ORDER BY ordinal`, [
      applicationId,
    ]);
  }

  active(): Promise<Cluster[]> {
    return this.findAll(`SELECT * FROM clusters WHERE ${LIVE_SQL} ORDER BY ordinal`);
  }

  async countLive(tenant: string): Promise<LiveClusterCount> {
    await this.access.lockInUnit(tenantLock(tenant));
    const { rows } = await this.access.query<{ clusters: number; task_executors: number }>(
      `SELECT COUNT(*) AS clusters, COALESCE(SUM((spec_json::jsonb ->> 'taskExecutors')::bigint), 0)::bigint AS task_executors
       FROM clusters WHERE status IN ('DEPLOYING', 'RUNNING') AND tenant = $1 AND deployment_target <> 'external'`,
      [tenant],
    );
    return { clusters: rows[0].clusters, taskExecutors: rows[0].task_executors };
  }

  private findOne(sql: string, values: unknown[]): Promise<Cluster | undefined> {
    return selectOne(this.access, sql, values, fromRow);
  }

  private findAll(sql: string, values: unknown[] = []): Promise<Cluster[]> {
    return selectAll(this.access, sql, values, fromRow);
  }
}
