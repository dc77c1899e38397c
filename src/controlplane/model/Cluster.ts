/**
 * Session clusters as the control plane records them: who deployed them and for whom, where their
 * job manager listens, how the deployment target finds them again, and how far their job events
 * were consumed. Their members (processes, pods) are the deployment target's to know, not recorded here.
 */
import type { SerializedError } from '../../common/status.js';

/** The status of a cluster as the control plane sees it. */
export type ClusterStatus = 'DEPLOYING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

/** Every cluster status. */
export const CLUSTER_STATUSES: readonly ClusterStatus[] = ['DEPLOYING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED'];

/** Whether a cluster in this status has ended for good. */
export function isTerminalClusterStatus(status: ClusterStatus): boolean {
  return status === 'STOPPED' || status === 'FAILED';
}

/** The resources of one task executor, divided evenly between its slots; zero picks the default. */
export interface TaskExecutorResources {
  cpus: number;
  heapMemoryMb: number;
  directMemoryMb: number;
  nativeMemoryMb: number;
}

/** The size of a cluster, with every default filled in. */
export interface ClusterSpec {
  taskExecutors: number;
  slotsPerTaskExecutor: number;
  /** Unset: the deployment target's default per task executor. */
  taskExecutorResources?: TaskExecutorResources;
  properties: Record<string, string>;
}

/**
 * How the cluster came to be: deployed by this control plane (`local` processes, `kubernetes` pods,
 * or `simulated` in its memory), or started by the user and named by its address (`external`: used
 * as it is, never deployed or torn down here).
 */
export type DeploymentTargetName = 'local' | 'kubernetes' | 'simulated' | 'external';

/** A cluster known to the control plane. */
export interface Cluster {
  id: string;
  /** The tenant that deployed it, or whose application it was deployed for or named it; '' on a control plane without tokens. Only that tenant sees it. */
  tenant: string;
  /**
   * What the control plane and the cluster's members present to its job manager and task executors
   * (issued when it was deployed; for an external one, the secret its --external-jobmanager entry
   * lists); '' for none. Never logged, never sent to clients.
   */
  clusterSecret: string;
  name: string;
  status: ClusterStatus;
  deploymentTarget: DeploymentTargetName;
  /** The application it was deployed for and is torn down with; empty for shared and external clusters. */
  ownerApplicationId: string;
  /** HOST:PORT of the job manager; empty until it listens. */
  jobmanagerAddress: string;
  spec: ClusterSpec;
  /**
   * What the deployment target gave to find the cluster again after a restart (the local target's
   * folder of the cluster, with its own record of its processes; labels on Kubernetes), opaque
   * here; empty for external clusters and until the target recorded the deployment.
   */
  deploymentReference: string;
  registeredTaskExecutors: number;
  /** The cluster-wide sequence of the last job event the control plane consumed from its Dispatcher. */
  lastJobEventSequence: number;
  requestId: string;
  requestFingerprint: string;
  createTime: Date;
  endTime?: Date;
  failure?: SerializedError;
}
