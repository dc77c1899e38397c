/**
 * Records a cluster's changes and tells the cluster observer (the applications) in the same
 * transaction, so that an owned cluster's progress and its application's events never disagree.
 * Job events relayed from clusters share one transaction per turn of the event loop
 * ({@link TransactionBatch}): a burst from many clusters costs one commit.
 */
import type { Cluster } from '../model/Cluster.js';
import type { ClusterChanges, ClusterStore } from '../store/ClusterStore.js';
import type { StateDatabase } from '../store/stateDatabase.js';
import type { TransactionBatch } from '../store/TransactionBatch.js';
import type { ClusterObserver } from './ClusterObserver.js';

/** Writes cluster changes and reports them. */
export class ClusterRecorder {
  constructor(
    private readonly db: StateDatabase,
    readonly clusters: ClusterStore,
    readonly observer: ClusterObserver,
    private readonly batch: TransactionBatch,
  ) {}

  /** The cluster as recorded now; NOT_FOUND naming the id when unknown. */
  get(clusterId: string): Cluster {
    return this.clusters.get(clusterId);
  }

  /** Records `changes` (none for a progress note) and reports the cluster with `message`. */
  change(clusterId: string, changes: ClusterChanges, message: string): void {
    this.db.transaction(() => this.write(clusterId, changes, message))();
  }

  /** As {@link change}, in the shared transaction of this turn of the event loop (whose savepoint makes it one unit); resolves once committed. */
  changeSoon(clusterId: string, changes: ClusterChanges, message: string): Promise<void> {
    return this.batch.run(() => this.write(clusterId, changes, message));
  }

  private write(clusterId: string, changes: ClusterChanges, message: string): void {
    this.clusters.update(clusterId, changes);
    this.observer.onClusterStatus(this.clusters.get(clusterId), message);
  }

  /** Records a job event of the cluster as consumed, together with what the observer makes of it; resolves once committed. */
  consume(cluster: Cluster, event: Parameters<ClusterObserver['onJobEvent']>[1]): Promise<void> {
    return this.batch.run(() => {
      this.observer.onJobEvent(cluster, event);
      this.clusters.setLastJobEventSequence(cluster.id, event.sequence);
    });
  }
}
