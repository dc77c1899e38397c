/**
 * The job master of an application's main job (application mode): instead of deploying tasks into
 * slots, it runs the application's `main()` in the job manager's own process through an
 * {@link ApplicationMainHost}, and the job's status follows `main()`: RUNNING while it runs,
 * FINISHED when it returned, FAILED with what it threw (or the limit it passed), CANCELED when it
 * was cancelled. The job has no task and no attempt, is never restarted, and no task executor's
 * loss concerns it. What `main()` writes goes to the job's output, before the job ends.
 */
import type { Logger } from '../common/logger.js';
import { isTerminalJobStatus, type ExecutionState, type JobStatus, type SerializedError } from '../common/status.js';
import type { Execution } from '../jobmaster/Execution.js';
import type { JobMasterListener, JobMasterResult, TaskCounts } from '../jobmaster/JobMaster.js';
import type { JobMasterService } from '../jobmaster/JobMasterService.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { ApplicationMainExecution, ApplicationMainHost } from './ApplicationMainHost.js';
import type { OutputStream } from '../common/JobOutputLog.js';

/** What an {@link ApplicationMainRunner} runs and whom it tells. */
export interface ApplicationMainRunnerOptions {
  /** How `main()` is deployed: its driver operator, bundle, limits and this job manager's address. */
  deployment: TaskDeploymentDescriptor;
  host: ApplicationMainHost;
  listener: JobMasterListener;
  /** Called once, when `main()` has been called (its application is RUNNING from then on). */
  onMainRunning(): void;
  /** Takes what `main()` wrote to stdout or stderr. */
  onOutput(stream: OutputStream, data: Uint8Array): void;
  logger: Logger;
}

/** Runs one application's `main()` as a job. */
export class ApplicationMainRunner implements JobMasterService {
  private status: JobStatus = 'CREATED';
  private readonly startedAt = new Date();
  private endedAt: Date | undefined;
  private failure: SerializedError | undefined;
  /** Why the job fails, once {@link fail} was asked. */
  private failing: SerializedError | undefined;
  private execution: ApplicationMainExecution | undefined;
  private settle!: (result: JobMasterResult) => void;
  readonly result: Promise<JobMasterResult> = new Promise((resolve) => (this.settle = resolve));
  readonly restarts = 0;

  constructor(private readonly options: ApplicationMainRunnerOptions) {}

  getStatus(): JobStatus {
    return this.status;
  }

  /** None: `main()` is no task. */
  getExecutions(): Execution[] {
    return [];
  }

  getExecution(): Execution | undefined {
    return undefined;
  }

  getTaskCounts(): TaskCounts {
    return {};
  }

  getStartTime(): Date {
    return this.startedAt;
  }

  getEndTime(): Date | undefined {
    return this.endedAt;
  }

  getFailure(): SerializedError | undefined {
    return this.failure;
  }

  /** The job is RUNNING, and `main()` starts in the host. */
  start(): void {
    if (this.status !== 'CREATED') return;
    this.transition('RUNNING');
    this.execution = this.options.host.run(this.options.deployment, {
      state: (state, failure) => this.mainStateChanged(state, failure),
      output: (stream, data) => this.options.onOutput(stream, data),
    });
  }

  /** No task reports to a main job. */
  updateTaskExecutionState(): boolean {
    return false;
  }

  /** A main job takes no checkpoints. */
  acknowledgeCheckpoint(): boolean {
    return false;
  }

  /** A main job takes no checkpoints. */
  declineCheckpoint(): void {}

  /** `main()` runs in the job manager: a task executor's loss does not touch it. */
  taskExecutorLost(): void {}

  /** Stops `main()` and fails the job with `cause`; resolves once it ended. */
  async fail(cause: SerializedError): Promise<JobMasterResult> {
    if (isTerminalJobStatus(this.status) || this.status === 'CANCELLING' || this.failing) return this.result;
    this.failing = cause;
    this.transition('FAILING', cause);
    await this.stopMain();
    this.finish('FAILED', cause);
    return this.result;
  }

  /** Stops `main()`; the job ends CANCELED. Resolves once it ended. */
  async cancel(): Promise<JobMasterResult> {
    if (isTerminalJobStatus(this.status) || this.status === 'CANCELLING') return this.result;
    this.transition('CANCELLING');
    await this.stopMain();
    this.finish('CANCELED');
    return this.result;
  }

  private async stopMain(): Promise<void> {
    try {
      await this.execution?.cancel();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'main() did not confirm that it stopped');
    }
  }

  /** `main()`'s own progress; once the job is being cancelled or failed, that decides the end instead. */
  private mainStateChanged(state: ExecutionState, failure?: SerializedError): void {
    if (isTerminalJobStatus(this.status)) return;
    if (state === 'RUNNING') {
      if (this.status === 'RUNNING') this.options.onMainRunning();
      return;
    }
    if (state !== 'FINISHED' && state !== 'FAILED' && state !== 'CANCELED') return;
    if (this.status === 'CANCELLING') return this.finish('CANCELED');
    if (this.failing) return this.finish('FAILED', this.failing);
    if (state === 'FINISHED') return this.finish('FINISHED');
    if (state === 'FAILED')
      return this.finish('FAILED', failure ?? { name: 'Error', message: 'main() failed without a reason', stack: '' });
    this.finish('FAILED', { name: 'Error', message: 'main() was stopped without being asked to', stack: '' });
  }

  private finish(status: 'FINISHED' | 'FAILED' | 'CANCELED', failure?: SerializedError): void {
    if (isTerminalJobStatus(this.status)) return;
    this.endedAt = new Date();
    if (status === 'FAILED') this.failure = failure;
    this.transition(status, failure);
    this.settle({ status, failure, durationMs: this.endedAt.getTime() - this.startedAt.getTime() });
  }

  private transition(status: JobStatus, failure?: SerializedError): void {
    this.status = status;
    this.options.listener.jobStatusChanged(status, failure);
  }
}
