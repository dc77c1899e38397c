/**
 * How the job manager reaches one task executor (Flink's TaskExecutorGateway). The resource manager
 * and job masters use this interface and the task executor serves it, so it lives in src/runtime,
 * which neither side owns; a gRPC client implements it for real clusters (src/dispatcher/service).
 */
import type { ResourceProfile } from '../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from './TaskDeploymentDescriptor.js';
import type { SlotStatus } from './SlotStatus.js';

/** The task executor's side of slot allocation, task deployment and liveness. */
export interface TaskExecutorGateway {
  /** Allocates slot `slotIndex` to a job under `allocationId`. */
  requestSlot(request: {
    slotIndex: number;
    jobId: string;
    allocationId: string;
    resources: ResourceProfile;
  }): Promise<SlotStatus>;
  /** Releases an allocation, cancelling what runs in it. */
  freeSlot(allocationId: string, reason: string): Promise<void>;
  /** Deploys an execution attempt into its allocated slot; resolves once the task executor accepted it, fails with TaskExecutorUnreachableError when nothing answers at its address. */
  submitTask(descriptor: TaskDeploymentDescriptor): Promise<void>;
  /** Asks the task executor to cancel an execution attempt; it reports CANCELED when the task has stopped. */
  cancelTask(executionAttemptId: string): Promise<void>;
  /**
   * Asks a source task to start a checkpoint (with `stop`, to stop emitting after it and finish once
   * it completed: stop-with-savepoint); resolves false when the task does not run here.
   */
  triggerCheckpoint(
    executionAttemptId: string,
    checkpointId: number,
    timestamp: number,
    stop?: boolean,
  ): Promise<boolean>;
  /** Tells a task that a checkpoint completed. */
  confirmCheckpoint(executionAttemptId: string, checkpointId: number): Promise<void>;
  /** Asks the task executor to exit. */
  shutDown(reason: string): Promise<void>;
  /** Closes the connection. */
  close(): void;
}
