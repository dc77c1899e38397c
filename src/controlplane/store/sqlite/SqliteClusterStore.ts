/**
 * The `clusters` table: the SQLite {@link ClusterStore}. Clusters that have not ended, once read,
 * are kept in memory ({@link KeptRows}) and kept up to date by the writes made here: the control
 * plane reads a cluster several times per application it runs (its status changes, its gateway,
 * its teardown), and each read was a query with its decoding. Every write to the table goes
 * through this class.
 */
import { isTerminalClusterStatus, type Cluster } from '../../model/Cluster.js';
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
import { KeptRows } from './KeptRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import { SQLITE_COLUMNS } from './sqliteColumns.js';
import type { StateDatabase } from './stateDatabase.js';

type ClusterRow = Row<number>;

/** The most clusters kept in memory; past it the oldest kept is dropped. */
const MAX_KEPT_CLUSTERS = 10_000;

/** A new cache of cluster rows, shared by the store's repositories inside and outside units of work. */
export function keptClusters(): KeptRows<Cluster> {
  return new KeptRows<Cluster>({ max: MAX_KEPT_CLUSTERS, ended: (cluster) => isTerminalClusterStatus(cluster.status) });
}

/** Clusters in the state database. */
export class SqliteClusterStore implements ClusterStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
    private readonly kept: KeptRows<Cluster>,
    private readonly pages: PageTokens,
  ) {}

  insert(cluster: Cluster): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          `INSERT INTO clusters (id, tenant, cluster_secret, name, status, deployment_target, owner_application_id, jobmanager_address,
             spec_json, deployment_reference, registered_task_executors, last_job_event_sequence, request_id, request_fingerprint,
             created_at, ended_at, failure_json)
           VALUES (@id, @tenant, @cluster_secret, @name, @status, @deployment_target, @owner_application_id, @jobmanager_address,
             @spec_json, @deployment_reference, @registered_task_executors, @last_job_event_sequence, @request_id, @request_fingerprint,
             @created_at, @ended_at, @failure_json)`,
        )
        .run(clusterToRow(cluster, SQLITE_COLUMNS));
    });
  }

  find(id: string): Promise<Cluster | undefined> {
    return (this.access.now() && this.kept.answer(id)) || this.access.read(() => this.findNow(id));
  }

  get(id: string, tenant?: string): Promise<Cluster> {
    // A kept row of the tenant (or of any, without one) is answered as it was the last time.
    const kept = this.access.now() && (tenant === undefined || this.kept.get(id)?.tenant === tenant);
    return (
      (kept && this.kept.answer(id)) ||
      this.access.read(() => {
        const cluster = this.findNow(id);
        if (!cluster || (tenant !== undefined && cluster.tenant !== tenant))
          throw new UnknownClusterError(`cluster ${JSON.stringify(id)} is not known to this control plane`);
        return cluster;
      })
    );
  }

  findByRequestId(requestId: string, tenant: string): Promise<Cluster | undefined> {
    return this.findOne('SELECT * FROM clusters WHERE request_id = ? AND tenant = ?', requestId, tenant);
  }

  findLiveExternal(address: string, tenant: string): Promise<Cluster | undefined> {
    return this.findOne(
      "SELECT * FROM clusters WHERE deployment_target = 'external' AND jobmanager_address = ? AND tenant = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal DESC",
      address,
      tenant,
    );
  }

  findLiveDeployed(address: string, tenant: string): Promise<Cluster | undefined> {
    return this.findOne(
      "SELECT * FROM clusters WHERE deployment_target != 'external' AND jobmanager_address = ? AND tenant = ? AND status = 'RUNNING' ORDER BY ordinal DESC",
      address,
      tenant,
    );
  }

  update(id: string, changes: ClusterChanges): Promise<void> {
    return this.access.write(() => {
      const columns = clusterChangeColumns(changes, SQLITE_COLUMNS);
      if (columns.length === 0) return;
      this.db
        .prepare(`UPDATE clusters SET ${columns.map(([column]) => `${column} = @${column}`).join(', ')} WHERE id = @id`)
        .run({ id, ...Object.fromEntries(columns) });
      this.kept.update(id, (kept) => withChanges(kept, changes));
    });
  }

  setLastJobEventSequence(clusterId: string, sequence: number): Promise<void> {
    return this.access.write(() => {
      this.db.prepare('UPDATE clusters SET last_job_event_sequence = ? WHERE id = ?').run(sequence, clusterId);
      this.kept.update(clusterId, (kept) => ({ ...kept, lastJobEventSequence: sequence }));
    });
  }

  list(request: ClusterListRequest): Promise<ClusterPage> {
    return this.access.read(() => {
      const { statuses, tenant } = request;
      const filter = statuses.length > 0 ? `AND status IN (${statuses.map(() => '?').join(', ')})` : '';
      const { rows, nextPageToken } = this.pages.readPage(
        'clusters',
        request,
        (before, limit) =>
          this.db
            .prepare(`SELECT * FROM clusters WHERE tenant = ? AND ordinal < ? ${filter} ORDER BY ordinal DESC LIMIT ?`)
            .all(tenant, before, ...statuses, limit) as ClusterRow[],
      );
      return { clusters: rows.map((row) => this.fromRow(row)), nextPageToken };
    });
  }

  activeOwnedBy(applicationId: string): Promise<Cluster[]> {
    return this.findAll(
      "SELECT * FROM clusters WHERE owner_application_id = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal",
      applicationId,
    );
  }

  active(): Promise<Cluster[]> {
    return this.findAll("SELECT * FROM clusters WHERE status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal");
  }

  countLive(tenant: string): Promise<LiveClusterCount> {
    return this.access.read(() => {
      const row = this.db
        .prepare(
          `SELECT COUNT(*) AS clusters, COALESCE(SUM(json_extract(spec_json, '$.taskExecutors')), 0) AS task_executors
           FROM clusters WHERE status IN ('DEPLOYING', 'RUNNING') AND tenant = ? AND deployment_target != 'external'`,
        )
        .get(tenant) as { clusters: number; task_executors: number };
      return { clusters: row.clusters, taskExecutors: row.task_executors };
    });
  }

  private findNow(id: string): Cluster | undefined {
    const kept = this.kept.get(id);
    if (kept) return kept;
    const row = this.db.prepare('SELECT * FROM clusters WHERE id = ?').get(id) as ClusterRow | undefined;
    return row && this.fromRow(row);
  }

  private findOne(sql: string, ...parameters: unknown[]): Promise<Cluster | undefined> {
    return this.access.read(() => {
      const row = this.db.prepare(sql).get(...parameters) as ClusterRow | undefined;
      return row && this.fromRow(row);
    });
  }

  private findAll(sql: string, ...parameters: unknown[]): Promise<Cluster[]> {
    return this.access.read(() =>
      (this.db.prepare(sql).all(...parameters) as ClusterRow[]).map((row) => this.fromRow(row)),
    );
  }

  /** The kept cluster of the row (the same, since every write goes through here), or the row decoded and kept. */
  private fromRow(row: ClusterRow): Cluster {
    return this.kept.get(row.id) ?? this.kept.keep(clusterFromRow(row, SQLITE_COLUMNS));
  }
}

/** The cluster with `changes` applied, as an update writes them. */
function withChanges(cluster: Cluster, changes: ClusterChanges): Cluster {
  const changed: Cluster = { ...cluster };
  if (changes.status !== undefined) changed.status = changes.status;
  if (changes.jobmanagerAddress !== undefined) changed.jobmanagerAddress = changes.jobmanagerAddress;
  if (changes.deploymentReference !== undefined) changed.deploymentReference = changes.deploymentReference;
  if (changes.registeredTaskExecutors !== undefined) changed.registeredTaskExecutors = changes.registeredTaskExecutors;
  if ('failure' in changes) {
    if (changes.failure) changed.failure = changes.failure;
    else delete changed.failure;
  }
  if (changes.endTime !== undefined) changed.endTime = changes.endTime;
  return changed;
}
