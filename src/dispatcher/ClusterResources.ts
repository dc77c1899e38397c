/**
 * What the Dispatcher needs of the cluster's resource manager: slots for job masters, gateways to
 * task executors, and news of lost task executors. The ResourceManager provides it; tests provide
 * a fake.
 */
import type { SlotProvider } from '../jobmaster/JobMaster.js';
import type { TaskExecutorGateway } from '../runtime/TaskExecutorGateway.js';

/** The resource manager as the Dispatcher sees it. */
export interface ClusterResources extends SlotProvider {
  /** The gateway of a registered task executor; undefined once it is gone. */
  gatewayOf(taskExecutorId: string): TaskExecutorGateway | undefined;
  /** The registered task executors. */
  taskExecutors(): ReadonlyArray<{ taskExecutorId: string; gateway: TaskExecutorGateway }>;
  /** Declares a task executor lost now (it cannot be reached): its slots vanish and `taskExecutorLost` follows. */
  lose(taskExecutorId: string, reason: string): void;
  /** Subscribes to `taskExecutorLost` (taskExecutorId, reason). */
  on(event: 'taskExecutorLost', listener: (taskExecutorId: string, reason: string) => void): unknown;
  /** Unsubscribes. */
  off(event: 'taskExecutorLost', listener: (taskExecutorId: string, reason: string) => void): unknown;
}
