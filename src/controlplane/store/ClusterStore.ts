/**
 * The control plane's clusters, as a port: every cluster it deployed or was pointed at, the
 * deployment target's reference to it (recorded before the target starts any member, so a crash
 * mid-deployment leaves nothing unaccounted for; the members are in the target's own record), and
 * the last job event consumed from its Dispatcher. Every method may do I/O, so each
 * returns a promise; a cluster read is shared, never changed in place by its reader.
 */
import { NotFoundError } from '../../common/errors.js';
import type { Cluster, ClusterStatus } from '../model/Cluster.js';

/**
 * NOT_FOUND for a cluster id: the store names the id, and the layer that knows the CLI (the gRPC
 * adapter) adds how to list the clusters.
 */
export class UnknownClusterError extends NotFoundError {
  override name = 'UnknownClusterError';
}

/** What may change in a cluster after it was recorded. */
export type ClusterChanges = Partial<
  Pick<
    Cluster,
    'status' | 'jobmanagerAddress' | 'deploymentReference' | 'registeredTaskExecutors' | 'failure' | 'endTime'
  >
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

/** What a tenant's deployed clusters that have not ended hold, for its limits. */
export interface LiveClusterCount {
  /**
   * How many clusters this control plane deployed for the tenant (shared, owned and per-job) are
   * DEPLOYING or RUNNING: one being stopped takes no more work and is on its way out, so a per-job
   * application's next job is not refused for the cluster of the job before it.
   */
  clusters: number;
  /** The task executors their specs ask for, together. */
  taskExecutors: number;
}

/** Clusters in the control plane's state. */
export interface ClusterStore {
  /** Records a new cluster. */
  insert(cluster: Cluster): Promise<void>;
  /** The cluster, or undefined. */
  find(id: string): Promise<Cluster | undefined>;
  /** The cluster; {@link UnknownClusterError} naming the id when there is none, or (given `tenant`) when it is another tenant's, with the same answer. */
  get(id: string, tenant?: string): Promise<Cluster>;
  /** The tenant's cluster deployed with this request id, if any. */
  findByRequestId(requestId: string, tenant: string): Promise<Cluster | undefined>;
  /** The tenant's newest external cluster at this address that has not ended, if any. */
  findLiveExternal(address: string, tenant: string): Promise<Cluster | undefined>;
  /** The tenant's newest running cluster this control plane deployed whose job manager listens at this address, if any. */
  findLiveDeployed(address: string, tenant: string): Promise<Cluster | undefined>;
  /** Applies `changes` to the cluster. */
  update(id: string, changes: ClusterChanges): Promise<void>;
  /** Records that the cluster's job events up to `sequence` were consumed. */
  setLastJobEventSequence(clusterId: string, sequence: number): Promise<void>;
  /** A page of a tenant's clusters, newest first, optionally of some statuses only. */
  list(request: ClusterListRequest): Promise<ClusterPage>;
  /** The clusters deployed for an application that have not ended, oldest first. */
  activeOwnedBy(applicationId: string): Promise<Cluster[]>;
  /** Every cluster that has not ended, oldest first. */
  active(): Promise<Cluster[]>;
  /**
   * What the tenant's clusters deployed here (not external ones) that are deploying or running hold. The
   * control plane counts in the unit of work that inserts a new cluster, so that a tenant's limit
   * holds: an implementation whose units run concurrently (PostgreSQL) must serialise the units
   * that count and insert for one tenant, such as with a transaction-scoped advisory lock on the
   * tenant or SERIALIZABLE isolation.
   */
  countLive(tenant: string): Promise<LiveClusterCount>;
}
