/** Who hears about clusters: the applications that run on them. */
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';

/** What happens on clusters, told to the applications. Every call is synchronous. */
export interface ClusterObserver {
  /** A job event of the cluster, called inside the transaction that records it as consumed. */
  onJobEvent(cluster: Cluster, event: ClusterJobEvent): void;
  /** The cluster changed status or made progress deploying (`cluster` is as recorded now). */
  onClusterStatus(cluster: Cluster, message: string): void;
  /** The cluster's job manager is gone: shut down (`lost` false) or lost; applications still on it must end. */
  onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): void;
}
