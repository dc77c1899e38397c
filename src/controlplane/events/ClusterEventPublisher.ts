/**
 * Turns what the cluster manager reports through its observer port into control-plane events
 * (`clusterJobEvent`, `clusterStatusChanged`, `clusterEnded`), so that the applications subscribe
 * to clusters instead of being handed to them.
 */
import type { ClusterObserver } from '../clusters/ClusterObserver.js';
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { StoreTransaction } from '../store/ControlPlaneStore.js';
import type { ControlPlaneEventPublisher } from './ControlPlaneEvents.js';

/** A cluster observer that publishes. */
export class ClusterEventPublisher implements ClusterObserver {
  constructor(private readonly events: ControlPlaneEventPublisher) {}

  onJobEvent(tx: StoreTransaction, cluster: Cluster, event: ClusterJobEvent): Promise<void> {
    return this.events.publish({ type: 'clusterJobEvent', tx, cluster, event });
  }

  onClusterStatus(tx: StoreTransaction, cluster: Cluster, message: string): Promise<void> {
    return this.events.publish({ type: 'clusterStatusChanged', tx, cluster, message });
  }

  onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): Promise<void> {
    return this.events.publish({ type: 'clusterEnded', cluster, lost: ending.lost, reason: ending.reason });
  }
}
