/** Who hears about clusters: the applications that run on them. */
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { StoreTransaction } from '../store/ControlPlaneStore.js';

/** What happens on clusters, told to the applications; the first two inside the unit of work `tx` that records it. */
export interface ClusterObserver {
  /** A job event of the cluster, told inside the unit of work that records it as consumed. */
  onJobEvent(tx: StoreTransaction, cluster: Cluster, event: ClusterJobEvent): Promise<void>;
  /** The cluster changed status or made progress deploying (`cluster` is as recorded now, in `tx`). */
  onClusterStatus(tx: StoreTransaction, cluster: Cluster, message: string): Promise<void>;
  /** The cluster's job manager is gone: shut down (`lost` false) or lost; applications still on it must end. */
  onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): Promise<void>;
}
