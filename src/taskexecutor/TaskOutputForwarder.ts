/**
 * Where a task's printed output goes: the task executor's own stdout (as Flink's TaskManager
 * `.out` file) and, in order and without holding the task back, its job manager, which keeps each
 * job's output for whoever reads it later.
 */
import type { Logger } from '../common/logger.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { JobManagerGateway } from '../runtime/JobManagerGateway.js';

/** Forwards printed text of tasks. */
export class TaskOutputForwarder {
  private sending: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(
    private readonly jobManager: Pick<JobManagerGateway, 'reportTaskOutput'>,
    private readonly write: (text: string) => void,
    private readonly logger: Logger,
  ) {}

  /** Writes `text` locally at once and queues it for the job manager. */
  print(task: Pick<TaskDeploymentDescriptor, 'jobId' | 'executionAttemptId'>, text: string): void {
    this.write(text);
    const data = Buffer.from(text, 'utf8');
    this.sending = this.sending.then(() =>
      this.jobManager.reportTaskOutput(task.jobId, task.executionAttemptId, 'stdout', data).catch((error: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.logger.warn(
          { err: error },
          "could not forward task output to the job manager; it stays in this process's stdout",
        );
      }),
    );
  }
}
