/**
 * How a task executor reaches its job manager. A gRPC client implements it for real clusters
 * (src/rpc); a MiniCluster calls the job manager directly.
 */
import type { SlotStatus } from '../resourcemanager/SlotStatus.js';
import type { TaskExecutorRegistration } from '../resourcemanager/ResourceManager.js';

/** The job manager's side of registration and heartbeats. */
export interface JobManagerGateway {
  /** Registers; resolves with the cluster id and the heartbeat settings to follow. */
  registerTaskExecutor(registration: TaskExecutorRegistration): Promise<{ clusterId: string; heartbeatIntervalMs: number; heartbeatTimeoutMs: number }>;
  /** Sends a heartbeat; resolves false when the job manager does not know this task executor any more. */
  heartbeat(taskExecutorId: string, slots: SlotStatus[], runningExecutionAttemptIds: string[]): Promise<{ registered: boolean }>;
  /** Closes the connection. */
  close(): void;
}
