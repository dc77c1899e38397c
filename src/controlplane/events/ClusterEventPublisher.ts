/**
 * Turns what the cluster manager reports through its observer port into control-plane events
 * (`clusterJobEvent`, `clusterStatusChanged`, `clusterEnded`), so that the applications subscribe
 * to clusters instead of being handed to them.
 */
import type { ClusterObserver } from '../clusters/ClusterObserver.js';
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { ControlPlaneEventPublisher } from './ControlPlaneEvents.js';

/** A cluster observer that publishes. */
export class ClusterEventPublisher implements ClusterObserver {
  constructor(private readonly events: ControlPlaneEventPublisher) {}

  onJobEvent(cluster: Cluster, event: ClusterJobEvent): void {
    this.events.publish({ type: 'clusterJobEvent', cluster, event });
  }

  onClusterStatus(cluster: Cluster, message: string): void {
    this.events.publish({ type: 'clusterStatusChanged', cluster, message });
  }

  onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): void {
    this.events.publish({ type: 'clusterEnded', cluster, lost: ending.lost, reason: ending.reason });
  }
}
