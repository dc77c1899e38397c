/** How a job master reaches task executors to start, stop and checkpoint tasks; the dispatcher provides it. */
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';

/** Starts and cancels tasks on task executors, by task executor id. */
export interface TaskDeployer {
  /** Deploys an execution attempt into its allocated slot. */
  submitTask(taskExecutorId: string, descriptor: TaskDeploymentDescriptor): Promise<void>;
  /** Asks a task executor to cancel an execution attempt. */
  cancelTask(taskExecutorId: string, executionAttemptId: string): Promise<void>;
  /** Asks a source task to start a checkpoint (`stop`: stop-with-savepoint); resolves false when the task is not running there. */
  triggerCheckpoint(
    taskExecutorId: string,
    executionAttemptId: string,
    checkpointId: number,
    timestamp: number,
    stop?: boolean,
  ): Promise<boolean>;
  /** Tells a task that a checkpoint completed (its sink commits what the checkpoint covers). */
  confirmCheckpoint(taskExecutorId: string, executionAttemptId: string, checkpointId: number): Promise<void>;
}
