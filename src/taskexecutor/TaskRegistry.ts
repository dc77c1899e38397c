/**
 * The tasks of one task executor, by execution attempt: a deployment is accepted only into a slot
 * allocated to its job, each attempt runs once, and freeing a slot cancels what runs in it.
 */
import { AlreadyExistsError, FailedPreconditionError } from '../common/errors.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { Task } from './task/Task.js';
import type { TaskSlotTable } from './TaskSlotTable.js';

/** Options of a {@link TaskRegistry}. */
export interface TaskRegistryOptions {
  slots: TaskSlotTable;
  /** Makes the task for a deployment (not started). */
  createTask(descriptor: TaskDeploymentDescriptor): Task;
}

/** The running tasks. */
export class TaskRegistry {
  private readonly tasks = new Map<string, Task>();
  /** Every attempt deployed into each allocation since it was given, ended or not (their partitions may outlive them). */
  private readonly attemptsByAllocation = new Map<string, Set<string>>();

  constructor(private readonly options: TaskRegistryOptions) {}

  /**
   * Starts an attempt.
   *
   * @throws FailedPreconditionError when its allocation is not a slot of this task executor given to its job.
   * @throws AlreadyExistsError when the attempt already runs here under another allocation.
   */
  submit(descriptor: TaskDeploymentDescriptor): void {
    const existing = this.tasks.get(descriptor.executionAttemptId);
    if (existing) {
      if (existing.descriptor.allocationId === descriptor.allocationId) return;
      throw new AlreadyExistsError(
        `attempt ${descriptor.executionAttemptId} already runs here in allocation ${existing.descriptor.allocationId}`,
      );
    }
    if (!this.options.slots.isAllocatedTo(descriptor.allocationId, descriptor.jobId)) {
      throw new FailedPreconditionError(
        `no slot of this task executor is allocated to job ${descriptor.jobId} under ${descriptor.allocationId}; the slot was freed or never offered`,
      );
    }
    const task = this.options.createTask(descriptor);
    this.tasks.set(descriptor.executionAttemptId, task);
    const attempts = this.attemptsByAllocation.get(descriptor.allocationId) ?? new Set<string>();
    this.attemptsByAllocation.set(descriptor.allocationId, attempts.add(descriptor.executionAttemptId));
    void task.terminated.then(() => this.tasks.delete(descriptor.executionAttemptId));
    task.start();
  }

  /** Cancels an attempt; an attempt not running here has nothing to cancel. */
  cancel(executionAttemptId: string): void {
    void this.tasks.get(executionAttemptId)?.cancel();
  }

  /** Asks a source task to start a checkpoint; false when the attempt does not run here. */
  triggerCheckpoint(executionAttemptId: string, checkpointId: number, timestamp: number, stop = false): boolean {
    return this.tasks.get(executionAttemptId)?.triggerCheckpoint(checkpointId, timestamp, stop) ?? false;
  }

  /** Tells a task that a checkpoint completed; nothing when the attempt does not run here. */
  confirmCheckpoint(executionAttemptId: string, checkpointId: number): void {
    this.tasks.get(executionAttemptId)?.confirmCheckpoint(checkpointId);
  }

  /** Cancels every attempt in an allocation; resolves once they ended. */
  async cancelAllocation(allocationId: string): Promise<void> {
    await Promise.all(
      [...this.tasks.values()]
        .filter((task) => task.descriptor.allocationId === allocationId)
        .map((task) => task.cancel()),
    );
  }

  /** Every attempt deployed into `allocationId`, and forgets them: call it when the allocation is freed. */
  takeAttemptsOfAllocation(allocationId: string): string[] {
    const attempts = [...(this.attemptsByAllocation.get(allocationId) ?? [])];
    this.attemptsByAllocation.delete(allocationId);
    return attempts;
  }

  /** The attempts running now. */
  runningAttempts(): string[] {
    return [...this.tasks.keys()];
  }

  /** Cancels everything; resolves once every task ended. */
  async close(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((task) => task.cancel()));
  }
}
