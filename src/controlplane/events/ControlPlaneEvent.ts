/**
 * The domain events of the control plane: what one component tells the others happened. A
 * component publishes them to {@link ControlPlaneEvents}; the wiring (controlPlaneDomain.ts)
 * subscribes whoever must follow up, so no component holds a reference to one built after it.
 * A union tagged by `type`, as the messages of Temporal's worker boundary.
 */
import type { SerializedError } from '../../common/status.js';
import type { Application } from '../model/Application.js';
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { StoreTransaction } from '../store/ControlPlaneStore.js';

/** Something that happened in the control plane. */
export type ControlPlaneEvent =
  /** An application reached a terminal status; published after the transaction that ended it committed. */
  | { type: 'applicationEnded'; application: Application }
  /** The client running a session or per-job application's main() sent no heartbeat within the timeout. */
  | { type: 'clientLost'; applicationId: string; failure: SerializedError }
  /** A client-side main() reported its end (CompleteClientMain, or its client was lost). */
  | { type: 'clientMainEnded'; applicationId: string }
  /** A job of an application reached a terminal status (as relayed from its cluster, or with its cluster). */
  | { type: 'jobEnded'; jobId: string }
  /** A client received a job's result (RequestJobResult). */
  | { type: 'jobResultDelivered'; jobId: string }
  /** A job event of a cluster, published inside the unit of work `tx` that records it as consumed. */
  | { type: 'clusterJobEvent'; tx: StoreTransaction; cluster: Cluster; event: ClusterJobEvent }
  /** A cluster changed status or made progress deploying (`cluster` is as recorded now), inside that unit of work `tx`. */
  | { type: 'clusterStatusChanged'; tx: StoreTransaction; cluster: Cluster; message: string }
  /** A cluster's job manager is gone: shut down (`lost` false) or lost; applications still on it must end. */
  | { type: 'clusterEnded'; cluster: Cluster; lost: boolean; reason: string };

/** The events of one type. */
export type ControlPlaneEventOf<T extends ControlPlaneEvent['type']> = Extract<ControlPlaneEvent, { type: T }>;
