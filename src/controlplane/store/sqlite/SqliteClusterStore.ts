/**
 * The `clusters` table: the SQLite {@link ClusterStore}. Clusters that have not ended, once read,
 * are kept in memory ({@link KeptRows}) and kept up to date by the writes made here: the control
 * plane reads a cluster several times per application it runs (its status changes, its gateway,
 * its teardown), and each read was a query with its decoding. Every write to the table goes
 * through this class.
 */
import type { SerializedError } from '../../../common/status.js';
import {
  isTerminalClusterStatus,
  type Cluster,
  type ClusterStatus,
  type DeploymentTargetName,
} from '../../model/Cluster.js';
import {
  UnknownClusterError,
  type ClusterChanges,
  type ClusterListRequest,
  type ClusterPage,
  type ClusterStore,
  type LiveClusterCount,
} from '../ClusterStore.js';
import type { PageTokens } from '../pageToken.js';
import { KeptRows } from './KeptRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface ClusterRow {
  ordinal: number;
  id: string;
  tenant: string;
  cluster_secret: string;
  name: string;
  status: ClusterStatus;
  deployment_target: DeploymentTargetName;
  owner_application_id: string | null;
  jobmanager_address: string;
  spec_json: string;
  deployment_reference: string;
  registered_task_executors: number;
  last_job_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: number;
  ended_at: number | null;
  failure_json: string | null;
}

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
          `INSERT INTO clusters (id, name, status, deployment_target, owner_application_id, jobmanager_address, spec_json, deployment_reference,
           registered_task_executors, last_job_event_sequence, request_id, request_fingerprint, created_at, ended_at, failure_json, tenant, cluster_secret)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          cluster.id,
          cluster.name,
          cluster.status,
          cluster.deploymentTarget,
          cluster.ownerApplicationId || null,
          cluster.jobmanagerAddress,
          JSON.stringify(cluster.spec),
          cluster.deploymentReference,
          cluster.registeredTaskExecutors,
          cluster.lastJobEventSequence,
          cluster.requestId || null,
          cluster.requestFingerprint,
          cluster.createTime.getTime(),
          cluster.endTime ? cluster.endTime.getTime() : null,
          cluster.failure ? JSON.stringify(cluster.failure) : null,
          cluster.tenant,
          cluster.clusterSecret,
        );
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
      const assignments: string[] = [];
      const values: Record<string, unknown> = { id };
      const set = (column: string, value: unknown) => {
        assignments.push(`${column} = @${column}`);
        values[column] = value;
      };
      if (changes.status !== undefined) set('status', changes.status);
      if (changes.jobmanagerAddress !== undefined) set('jobmanager_address', changes.jobmanagerAddress);
      if (changes.deploymentReference !== undefined) set('deployment_reference', changes.deploymentReference);
      if (changes.registeredTaskExecutors !== undefined)
        set('registered_task_executors', changes.registeredTaskExecutors);
      if ('failure' in changes) set('failure_json', changes.failure ? JSON.stringify(changes.failure) : null);
      if (changes.endTime !== undefined) set('ended_at', changes.endTime.getTime());
      if (assignments.length === 0) return;
      this.db.prepare(`UPDATE clusters SET ${assignments.join(', ')} WHERE id = @id`).run(values);
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
    return this.kept.get(row.id) ?? this.kept.keep(this.decode(row));
  }

  private decode(row: ClusterRow): Cluster {
    const cluster: Cluster = {
      id: row.id,
      tenant: row.tenant,
      clusterSecret: row.cluster_secret,
      name: row.name,
      status: row.status,
      deploymentTarget: row.deployment_target,
      ownerApplicationId: row.owner_application_id ?? '',
      jobmanagerAddress: row.jobmanager_address,
      spec: JSON.parse(row.spec_json),
      deploymentReference: row.deployment_reference,
      registeredTaskExecutors: row.registered_task_executors,
      lastJobEventSequence: row.last_job_event_sequence,
      requestId: row.request_id ?? '',
      requestFingerprint: row.request_fingerprint,
      createTime: new Date(row.created_at),
    };
    if (row.ended_at !== null) cluster.endTime = new Date(row.ended_at);
    if (row.failure_json) cluster.failure = JSON.parse(row.failure_json) as SerializedError;
    return cluster;
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
