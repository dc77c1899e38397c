/**
 * Records a cluster's changes and tells the cluster observer (the applications) in the same unit
 * of work, so that an owned cluster's progress and its application's events never disagree. The
 * store may commit units together: job events relayed from many clusters in one burst share a
 * commit (the SQLite store commits every unit of a turn of the event loop at once).
 */
import type { Cluster } from '../model/Cluster.js';
import type { ClusterChanges, ClusterStore } from '../store/ClusterStore.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import type { ClusterObserver } from './ClusterObserver.js';

/** Writes cluster changes and reports them. */
export class ClusterRecorder {
  readonly clusters: ClusterStore;

  constructor(
    private readonly store: StoreScope,
    readonly observer: ClusterObserver,
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
    await tx.clusters.update(clusterId, changes);
    await this.observer.onClusterStatus(tx, await tx.clusters.get(clusterId), message);
  }

  /** Records a job event of the cluster as consumed, together with what the observer makes of it; resolves once committed. */
  consume(cluster: Cluster, event: Parameters<ClusterObserver['onJobEvent']>[2]): Promise<void> {
    return this.store.transaction(async (tx) => {
      await this.observer.onJobEvent(tx, cluster, event);
      await tx.clusters.setLastJobEventSequence(cluster.id, event.sequence);
    });
  }
}
