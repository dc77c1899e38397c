/**
 * Records a cluster's changes and tells the cluster observer (the applications) in the same unit
 * of work, so that an owned cluster's progress and its application's events never disagree. The
 * store may commit units together: job events relayed from many clusters in one burst share a
 * commit (the SQLite store commits every unit of a turn of the event loop at once). Each unit
 * carries this process's fencing token of the cluster's lease (FollowerLeases.fence): a process
 * that no longer follows the cluster writes nothing, and once a cluster has ended its lease goes.
 */
import type { Cluster } from '../model/Cluster.js';
import type { ClusterChanges, ClusterStore } from '../store/ClusterStore.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { ClusterObserver } from './ClusterObserver.js';
import type { FollowerLeases } from './FollowerLeases.js';

/** Writes cluster changes and reports them. */
export class ClusterRecorder {
  readonly clusters: ClusterStore;

  constructor(
    private readonly store: StoreScope,
    readonly observer: ClusterObserver,
    private readonly leases: FollowerLeases,
  ) {
    this.clusters = store.clusters;
  }

  /** The cluster as recorded now; NOT_FOUND naming the id when unknown. */
  get(clusterId: string): Promise<Cluster> {
    return this.clusters.get(clusterId);
  }

  /** Records `changes` (none for a progress note) and reports the cluster with `message`; resolves once committed. */
  change(clusterId: string, changes: ClusterChanges, message: string): Promise<void> {
    return this.store.transaction((tx) => this.write(tx, clusterId, changes, message));
  }

  private async write(
    tx: StoreTransaction,
    clusterId: string,
    changes: ClusterChanges,
    message: string,
  ): Promise<void> {
    await this.leases.fence(tx, clusterId);
    await tx.clusters.update(clusterId, changes);
    const cluster = await tx.clusters.get(clusterId);
    if (changes.status && isTerminalClusterStatus(changes.status)) tx.afterCommit(() => this.leases.ended(clusterId));
    await this.observer.onClusterStatus(tx, cluster, message);
  }

  /**
   * Runs `work` (which must not wait for anything) as the cluster's follower: on a store shared by
   * replicas inside a unit of work that checks this process's fencing token and holds it until
   * `work` returned, so that a replica taking the lease over waits for `work` (the takeover's
   * update of the lease waits for the fence's row lock), and `work` does not run at all, rejecting
   * with FencedWriteError, once another replica took it. On a store of its own, `work` runs as is.
   */
  async asFollower<T>(clusterId: string, work: () => T): Promise<T> {
    if (!this.leases.shared) return work();
    return this.store.transaction(async (tx) => {
      await this.leases.fence(tx, clusterId);
      return work();
    });
  }

  /** Records a job event of the cluster as consumed, together with what the observer makes of it; resolves once committed. */
  consume(cluster: Cluster, event: Parameters<ClusterObserver['onJobEvent']>[2]): Promise<void> {
    return this.store.transaction(async (tx) => {
      await this.leases.fence(tx, cluster.id);
      await this.observer.onJobEvent(tx, cluster, event);
      await tx.clusters.setLastJobEventSequence(cluster.id, event.sequence);
    });
  }
}
