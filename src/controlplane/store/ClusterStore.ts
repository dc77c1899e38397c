/**
 * The `clusters` and `cluster_processes` tables: every cluster the control plane deployed or was
 * pointed at, its processes (recorded as each one starts, so a crash mid-deployment leaves nothing
 * unaccounted for), and the last job event consumed from its Dispatcher.
 *
 * Clusters that have not ended, once read, are kept in memory (the newest {@link MAX_KEPT_CLUSTERS};
 * a cluster that ends leaves) and kept up to date by the writes made here, as {@link ApplicationStore} does with applications: the control plane reads
 * a cluster several times per application it runs (its status changes, its gateway, its teardown),
 * and each read was a query of the cluster and one of its processes with their decoding. Every write
 * to these tables goes through this class, and any rollback drops the kept clusters. A cluster read
 * is shared, never changed in place: a write replaces it.
 */
import { NotFoundError } from '../../common/errors.js';
import type { SerializedError } from '../../common/status.js';
import {
  isTerminalClusterStatus,
  type Cluster,
  type ClusterProcess,
  type ClusterStatus,
  type DeploymentTargetName,
} from '../model/Cluster.js';
import { readPage } from './pageToken.js';
import { onRollback, type StateDatabase } from './stateDatabase.js';

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
  folder: string;
  registered_task_executors: number;
  last_job_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: number;
  ended_at: number | null;
  failure_json: string | null;
}

interface ProcessRow {
  role: ClusterProcess['role'];
  idx: number;
  pid: number;
  stdout_file: string;
  log_file: string;
}

/**
 * NOT_FOUND for a cluster id: the store names the id, and the layer that knows the CLI (the gRPC
 * adapter) adds how to list the clusters.
 */
export class UnknownClusterError extends NotFoundError {
  override name = 'UnknownClusterError';
}

/** What may change in a cluster after it was recorded. */
export type ClusterChanges = Partial<
  Pick<Cluster, 'status' | 'jobmanagerAddress' | 'registeredTaskExecutors' | 'failure' | 'endTime'>
>;

/** A page of clusters. */
export interface ClusterPage {
  /** Newest first. */
  clusters: Cluster[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** What {@link ClusterStore.list} asks for. */
export interface ClusterListRequest {
  pageSize: number;
  pageToken: string;
  /** Only these statuses; empty for every status. */
  statuses: readonly ClusterStatus[];
  /** Only this tenant's clusters. */
  tenant: string;
}

/** The most clusters kept in memory; past it the oldest kept is dropped. */
const MAX_KEPT_CLUSTERS = 10_000;

/** Clusters in the state database. */
export class ClusterStore {
  /** Clusters as this process last read or wrote them, oldest first. */
  private readonly kept = new Map<string, Cluster>();

  constructor(private readonly db: StateDatabase) {
    onRollback(db, () => this.kept.clear());
  }

  /** Records a new cluster (without processes). */
  insert(cluster: Cluster): void {
    this.db
      .prepare(
        `INSERT INTO clusters (id, name, status, deployment_target, owner_application_id, jobmanager_address, spec_json, folder,
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
        cluster.folder,
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
    for (const process of cluster.processes) this.addProcess(cluster.id, process);
  }

  /** The cluster, or undefined. */
  find(id: string): Cluster | undefined {
    const kept = this.kept.get(id);
    if (kept) return kept;
    const row = this.db.prepare('SELECT * FROM clusters WHERE id = ?').get(id) as ClusterRow | undefined;
    return row && this.fromRow(row);
  }

  /** The cluster; NOT_FOUND naming the id when there is none, or (given `tenant`) when it is another tenant's, with the same answer. */
  get(id: string, tenant?: string): Cluster {
    const cluster = this.find(id);
    if (!cluster || (tenant !== undefined && cluster.tenant !== tenant))
      throw new UnknownClusterError(`cluster ${JSON.stringify(id)} is not known to this control plane`);
    return cluster;
  }

  /** The tenant's cluster deployed with this request id, if any. */
  findByRequestId(requestId: string, tenant: string): Cluster | undefined {
    const row = this.db.prepare('SELECT * FROM clusters WHERE request_id = ? AND tenant = ?').get(requestId, tenant) as
      ClusterRow | undefined;
    return row && this.fromRow(row);
  }

  /** The tenant's newest external cluster at this address that has not ended, if any. */
  findLiveExternal(address: string, tenant: string): Cluster | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM clusters WHERE deployment_target = 'external' AND jobmanager_address = ? AND tenant = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal DESC",
      )
      .get(address, tenant) as ClusterRow | undefined;
    return row && this.fromRow(row);
  }

  /** The tenant's newest running cluster this control plane deployed whose job manager listens at this address, if any. */
  findLiveDeployed(address: string, tenant: string): Cluster | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM clusters WHERE deployment_target != 'external' AND jobmanager_address = ? AND tenant = ? AND status = 'RUNNING' ORDER BY ordinal DESC",
      )
      .get(address, tenant) as ClusterRow | undefined;
    return row && this.fromRow(row);
  }

  /** Applies `changes` to the cluster. */
  update(id: string, changes: ClusterChanges): void {
    const assignments: string[] = [];
    const values: Record<string, unknown> = { id };
    const set = (column: string, value: unknown) => {
      assignments.push(`${column} = @${column}`);
      values[column] = value;
    };
    if (changes.status !== undefined) set('status', changes.status);
    if (changes.jobmanagerAddress !== undefined) set('jobmanager_address', changes.jobmanagerAddress);
    if (changes.registeredTaskExecutors !== undefined)
      set('registered_task_executors', changes.registeredTaskExecutors);
    if ('failure' in changes) set('failure_json', changes.failure ? JSON.stringify(changes.failure) : null);
    if (changes.endTime !== undefined) set('ended_at', changes.endTime.getTime());
    if (assignments.length === 0) return;
    this.db.prepare(`UPDATE clusters SET ${assignments.join(', ')} WHERE id = @id`).run(values);
    const kept = this.kept.get(id);
    if (!kept) return;
    // A cluster that ended is read rarely: it leaves memory, which then holds the active ones.
    if (changes.status !== undefined && isTerminalClusterStatus(changes.status)) this.kept.delete(id);
    else this.kept.set(id, withChanges(kept, changes));
  }

  /** Records one more process of the cluster. */
  addProcess(clusterId: string, process: ClusterProcess): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO cluster_processes (cluster_id, role, idx, pid, stdout_file, log_file, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(clusterId, process.role, process.index, process.pid, process.stdoutFile, process.logFile, Date.now());
    // Read again with its processes in their order the next time.
    this.kept.delete(clusterId);
  }

  /** Records that the cluster's job events up to `sequence` were consumed. */
  setLastJobEventSequence(clusterId: string, sequence: number): void {
    this.db.prepare('UPDATE clusters SET last_job_event_sequence = ? WHERE id = ?').run(sequence, clusterId);
    const kept = this.kept.get(clusterId);
    if (kept) this.kept.set(clusterId, { ...kept, lastJobEventSequence: sequence });
  }

  /** A page of a tenant's clusters, newest first, optionally of some statuses only. */
  list(request: ClusterListRequest): ClusterPage {
    const { statuses, tenant } = request;
    const filter = statuses.length > 0 ? `AND status IN (${statuses.map(() => '?').join(', ')})` : '';
    const { rows, nextPageToken } = readPage(
      'clusters',
      request,
      (before, limit) =>
        this.db
          .prepare(`SELECT * FROM clusters WHERE tenant = ? AND ordinal < ? ${filter} ORDER BY ordinal DESC LIMIT ?`)
          .all(tenant, before, ...statuses, limit) as ClusterRow[],
    );
    return { clusters: rows.map((row) => this.fromRow(row)), nextPageToken };
  }

  /** The clusters deployed for an application that have not ended, oldest first. */
  activeOwnedBy(applicationId: string): Cluster[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM clusters WHERE owner_application_id = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal",
      )
      .all(applicationId) as ClusterRow[];
    return rows.map((row) => this.fromRow(row));
  }

  /** Every cluster that has not ended, oldest first. */
  active(): Cluster[] {
    const rows = this.db
      .prepare("SELECT * FROM clusters WHERE status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal")
      .all() as ClusterRow[];
    return rows.map((row) => this.fromRow(row));
  }

  /** The kept cluster of the row (the same, since every write goes through here), or the row decoded and kept. */
  private fromRow(row: ClusterRow): Cluster {
    const kept = this.kept.get(row.id);
    if (kept) return kept;
    const cluster = this.decode(row);
    if (isTerminalClusterStatus(cluster.status)) return cluster;
    if (this.kept.size >= MAX_KEPT_CLUSTERS) this.kept.delete(this.kept.keys().next().value as string);
    this.kept.set(cluster.id, cluster);
    return cluster;
  }

  private decode(row: ClusterRow): Cluster {
    const processes = this.db
      .prepare(
        "SELECT * FROM cluster_processes WHERE cluster_id = ? ORDER BY CASE role WHEN 'jobmanager' THEN 0 ELSE 1 END, idx",
      )
      .all(row.id) as ProcessRow[];
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
      folder: row.folder,
      processes: processes.map((process) => ({
        role: process.role,
        index: process.idx,
        pid: process.pid,
        stdoutFile: process.stdout_file,
        logFile: process.log_file,
      })),
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

/** The cluster with `changes` applied, as {@link ClusterStore.update} writes them. */
function withChanges(cluster: Cluster, changes: ClusterChanges): Cluster {
  const changed: Cluster = { ...cluster };
  if (changes.status !== undefined) changed.status = changes.status;
  if (changes.jobmanagerAddress !== undefined) changed.jobmanagerAddress = changes.jobmanagerAddress;
  if (changes.registeredTaskExecutors !== undefined) changed.registeredTaskExecutors = changes.registeredTaskExecutors;
  if ('failure' in changes) {
    if (changes.failure) changed.failure = changes.failure;
    else delete changed.failure;
  }
  if (changes.endTime !== undefined) changed.endTime = changes.endTime;
  return changed;
}
