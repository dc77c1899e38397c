/** How a job master reaches task executors to start and stop tasks; the dispatcher provides it. */
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';

/** Starts and cancels tasks on task executors, by task executor id. */
export interface TaskDeployer {
  /** Deploys an execution attempt into its allocated slot. */
  submitTask(taskExecutorId: string, descriptor: TaskDeploymentDescriptor): Promise<void>;
  /** Asks a task executor to cancel an execution attempt. */
  cancelTask(taskExecutorId: string, executionAttemptId: string): Promise<void>;
}
