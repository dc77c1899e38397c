/**
 * Runs one job: gets its slots through its {@link SlotPool} (slot sharing, as in Flink: one slot
 * holds at most one subtask of each vertex), deploys every subtask, tracks each execution state,
 * and drives the job's status. A failed task, or a task executor that is lost,
 * fails the attempt: every task is cancelled and, if the restart strategy allows, the whole job is
 * redeployed after the backoff on the slots that remain (plus replacements). Cancel stops every
 * task and frees every slot. A streaming job with checkpointing takes savepoints on request, and
 * stops with one (stop-with-savepoint); a job started from a savepoint restores its first attempt
 * from it. Operators' state is filed by their ids (jobgraph/operatorIds.ts), which the deployed
 * graph carries.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FailedPreconditionError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import {
  isTerminalExecutionState,
  isTerminalJobStatus,
  serializeError,
  type ExecutionState,
  type JobStatus,
  type SerializedError,
} from '../common/status.js';
import { checkpointingSettingsOf } from '../jobgraph/CheckpointingSettings.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { withOperatorIds } from '../jobgraph/operatorIds.js';
import { manifestVerticesOf, writeCheckpointFolder } from './checkpoint/CheckpointManifest.js';
import { ANY_RESOURCES } from '../runtime/SlotStatus.js';
import { CheckpointCoordinator, type CheckpointParticipants } from './checkpoint/CheckpointCoordinator.js';
import { MEMORY_CHECKPOINT_STORAGE } from './checkpoint/CheckpointStorage.js';
import { subtaskStateKey, type CompletedCheckpoint } from './checkpoint/CompletedCheckpoint.js';
import { FileSystemCheckpointStorage } from './checkpoint/FileSystemCheckpointStorage.js';
import { createTaskDeploymentDescriptor } from './createTaskDeploymentDescriptor.js';
import type { Execution } from './Execution.js';
import { createRestartStrategy, type RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy.js';
import { SlotPool, type SlotProvider } from './SlotPool.js';
import type { TaskDeployer } from './TaskDeployer.js';

export type { SlotProvider } from './SlotPool.js';

/** The order in which a task executor moves an attempt through the non-terminal states. */
const LIFECYCLE: readonly ExecutionState[] = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'];

/** A task as messages name it, such as "Source: Sequence (subtask 1, attempt 0)". */
function describeTask(execution: Execution): string {
  return `${execution.vertexName} (subtask ${execution.subtaskIndex}, attempt ${execution.attemptNumber})`;
}

/** What the job master reports as it goes. */
export interface JobMasterListener {
  jobStatusChanged(status: JobStatus, failure?: SerializedError): void;
  taskStateChanged(execution: Execution): void;
  /** A checkpoint or savepoint completed and was stored. */
  checkpointCompleted?(checkpoint: CompletedCheckpoint): void;
}

/** How many subtasks of the job are in each execution state (states with none are left out). */
export type TaskCounts = Partial<Record<ExecutionState, number>>;

/** The job's end. */
export interface JobMasterResult {
  status: JobStatus;
  failure?: SerializedError;
  durationMs: number;
}

/** Settings of a {@link JobMaster}. */
export interface JobMasterOptions {
  jobId: string;
  jobGraph: JobGraph;
  applicationId: string;
  jobmanagerAddress: string;
  slots: SlotProvider;
  deployer: TaskDeployer;
  listener: JobMasterListener;
  logger: Logger;
  /** How long to wait for tasks to confirm cancellation before treating them as gone. */
  cancellationTimeoutMs?: number;
  /** The savepoint (or checkpoint) the job starts from, re-sliced for its graph (SavepointRestore.ts). */
  restore?: CompletedCheckpoint;
}

/** The master of one job. */
export class JobMaster {
  private status: JobStatus = 'CREATED';
  private readonly slots: SlotPool;
  private executions = new Map<string, Execution>();
  private attemptNumber = 0;
  private readonly restartStrategy: RestartBackoffTimeStrategy;
  private readonly startedAt = new Date();
  private endedAt: Date | undefined;
  private failure: SerializedError | undefined;
  /** Set by {@link fail}: the failure ends the job whatever the restart strategy allows. */
  private suppressRestarts = false;
  /** Ends the restart backoff early, while one is under way. */
  private endRestartWait: (() => void) | undefined;
  private settle!: (result: JobMasterResult) => void;
  private terminalWaiters: Array<() => void> = [];
  /** Resolves when the job reaches a terminal status. */
  readonly result: Promise<JobMasterResult> = new Promise((resolve) => (this.settle = resolve));
  /** How many times the job restarted. */
  restarts = 0;
  /** Takes the job's checkpoints; undefined when the job takes none (BATCH, or no interval set). */
  readonly checkpoints: CheckpointCoordinator | undefined;
  /** The graph as deployed: every operator has its id (uid). */
  private readonly graph: JobGraph;

  constructor(private readonly options: JobMasterOptions) {
    this.graph = withOperatorIds(options.jobGraph);
    this.restartStrategy = createRestartStrategy(options.jobGraph.restartStrategy);
    this.checkpoints = this.createCheckpointCoordinator();
    this.slots = new SlotPool({
      jobId: options.jobId,
      provider: options.slots,
      resources: options.jobGraph.vertices.find((vertex) => vertex.resources)?.resources ?? ANY_RESOURCES,
      wanted: () => !isTerminalJobStatus(this.status),
      reason: () => `job ${options.jobId} ${this.status}`,
    });
  }

  /** The job's status now. */
  getStatus(): JobStatus {
    return this.status;
  }

  /** The current attempts of every subtask. */
  getExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  /** A current attempt by id (a copy); undefined for attempts of earlier restarts or unknown ids. */
  getExecution(executionAttemptId: string): Execution | undefined {
    const execution = this.executions.get(executionAttemptId);
    return execution && { ...execution };
  }

  /**
   * How many subtasks are in each execution state: those of the current attempts, or every subtask
   * as CREATED while the first attempt waits for its slots.
   */
  getTaskCounts(): TaskCounts {
    const counts: TaskCounts = {};
    if (this.executions.size === 0) {
      const subtasks = this.options.jobGraph.vertices.reduce((sum, vertex) => sum + vertex.parallelism, 0);
      if (subtasks > 0) counts.CREATED = subtasks;
      return counts;
    }
    for (const execution of this.executions.values()) counts[execution.state] = (counts[execution.state] ?? 0) + 1;
    return counts;
  }

  /** When the job master was created (the job's submission). */
  getStartTime(): Date {
    return this.startedAt;
  }

  /** When the job reached its terminal status, once it has. */
  getEndTime(): Date | undefined {
    return this.endedAt;
  }

  /** Why the job failed, once it is FAILED. */
  getFailure(): SerializedError | undefined {
    return this.failure;
  }

  /** Starts scheduling: slots first, then every task. */
  start(): void {
    this.transition('RUNNING');
    this.checkpoints?.start();
    void this.scheduleAttempt();
  }

  /** Takes a task's snapshot for a checkpoint; false when the checkpoint or the attempt is not pending. */
  acknowledgeCheckpoint(executionAttemptId: string, checkpointId: number, state: Uint8Array): boolean {
    return this.checkpoints?.acknowledge(executionAttemptId, checkpointId, state) ?? false;
  }

  /** A task could not take its snapshot for a checkpoint: the checkpoint is aborted. */
  declineCheckpoint(executionAttemptId: string, checkpointId: number, reason: string): void {
    this.checkpoints?.decline(executionAttemptId, checkpointId, reason);
  }

  /**
   * Takes a savepoint into a new folder `savepoint-<first 8 of the job id>-<random hex>` in
   * `targetDirectory`; with `stop`, the job stops with it and this resolves once the job ended.
   * FAILED_PRECONDITION when the job takes no checkpoints, is not RUNNING, or the savepoint aborted.
   */
  async triggerSavepoint(targetDirectory: string, stop: boolean): Promise<CompletedCheckpoint> {
    const { jobId, jobGraph } = this.options;
    if (!this.checkpoints)
      throw new FailedPreconditionError(
        (jobGraph.runtimeMode ?? 'STREAMING') === 'STREAMING'
          ? `job ${jobId} takes no checkpoints, so it cannot take a savepoint: enable checkpointing (env.enableCheckpointing(ms) in main(), or -Dexecution.checkpointing.interval=…) and run it again`
          : `job ${jobId} runs in BATCH mode, which takes no checkpoints or savepoints; only STREAMING jobs with checkpointing do`,
      );
    if (this.status !== 'RUNNING')
      throw new FailedPreconditionError(
        `job ${jobId} is ${this.status}; only a RUNNING job takes a savepoint${isTerminalJobStatus(this.status) ? '' : ' (try again once it runs)'}`,
      );
    const folder = join(targetDirectory, `savepoint-${jobId.slice(0, 8)}-${randomBytes(6).toString('hex')}`);
    const savepoint = await this.checkpoints.triggerSavepoint({ folder, stop });
    if (stop) {
      // The sources finish once told the savepoint completed; the job then ends FINISHED.
      const ended = await Promise.race([
        this.result,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000).unref()),
      ]);
      if (!ended)
        this.options.logger.warn({ jobId, folder }, 'the job did not end within 60 s of its stop-with-savepoint');
    }
    return savepoint;
  }

  private createCheckpointCoordinator(): CheckpointCoordinator | undefined {
    const { jobId, deployer, logger } = this.options;
    const jobGraph = this.graph;
    if ((jobGraph.runtimeMode ?? 'STREAMING') !== 'STREAMING') return undefined;
    const settings = checkpointingSettingsOf(jobGraph.properties);
    if (!settings) return undefined;
    const sourceVertices = new Set(
      jobGraph.vertices
        .filter((vertex) => !jobGraph.edges.some((edge) => edge.targetVertexId === vertex.id))
        .map((vertex) => vertex.id),
    );
    const slotOf = (executionAttemptId: string) => this.executions.get(executionAttemptId)?.slot.taskExecutorId ?? '';
    const header = { jobName: jobGraph.name, vertices: manifestVerticesOf(jobGraph) };
    return new CheckpointCoordinator({
      jobId,
      settings,
      storage: settings.directory
        ? new FileSystemCheckpointStorage(settings.directory, jobId, header)
        : MEMORY_CHECKPOINT_STORAGE,
      storeSavepoint: (folder, checkpoint) => writeCheckpointFolder(folder, checkpoint, header),
      initial: this.options.restore,
      onCompleted: (checkpoint) => this.options.listener.checkpointCompleted?.(checkpoint),
      logger,
      participants: (): CheckpointParticipants | undefined => {
        const all = this.getExecutions();
        if (this.status !== 'RUNNING' || all.length === 0 || all.some((execution) => execution.state !== 'RUNNING'))
          return undefined;
        return { sources: all.filter((execution) => sourceVertices.has(execution.vertexId)), all };
      },
      trigger: (task, checkpointId, timestamp, stop) =>
        deployer.triggerCheckpoint(
          slotOf(task.executionAttemptId),
          task.executionAttemptId,
          checkpointId,
          timestamp,
          stop,
        ),
      confirm: (task, checkpointId) =>
        deployer.confirmCheckpoint(slotOf(task.executionAttemptId), task.executionAttemptId, checkpointId),
    });
  }

  /**
   * Applies a task's state report; false when the attempt is unknown or stale, or is being
   * cancelled (the task should stop). A report that does not move the attempt forward (a repeated
   * or reordered one) changes nothing.
   */
  updateTaskExecutionState(executionAttemptId: string, state: ExecutionState, failure?: SerializedError): boolean {
    const execution = this.executions.get(executionAttemptId);
    if (!execution || isTerminalExecutionState(execution.state)) return false;
    if (!isTerminalExecutionState(state)) {
      if (execution.state === 'CANCELING') return false;
      // Only the job master starts a cancellation; a reported CANCELING waits for the CANCELED that follows.
      if (!LIFECYCLE.includes(state) || LIFECYCLE.indexOf(state) <= LIFECYCLE.indexOf(execution.state)) return true;
    }
    const unexpectedCancel = state === 'CANCELED' && execution.state !== 'CANCELING';
    this.setState(execution, state, failure);
    if (state === 'FAILED')
      this.handleFailure(failure ?? { name: 'Error', message: `task ${describeTask(execution)} failed`, stack: '' });
    else if (unexpectedCancel) {
      // A task that stops without being asked to cannot finish its part: the attempt has failed.
      this.handleFailure({
        name: 'TaskCanceledError',
        message: `task ${describeTask(execution)} was cancelled by its task executor without being asked to`,
        stack: '',
      });
    } else if (
      state === 'FINISHED' &&
      this.status === 'RUNNING' &&
      this.getExecutions().every((e) => e.state === 'FINISHED')
    )
      void this.finish('FINISHED');
    this.notifyIfAllTerminal();
    return true;
  }

  /** Fails every task that ran on a lost task executor. */
  taskExecutorLost(taskExecutorId: string, reason: string): void {
    const cause: SerializedError = {
      name: 'TaskExecutorLostError',
      message: `task executor ${taskExecutorId} was lost: ${reason}`,
      stack: '',
    };
    let affected = false;
    this.slots.forgetTaskExecutor(taskExecutorId);
    for (const execution of this.executions.values()) {
      if (execution.slot.taskExecutorId !== taskExecutorId || isTerminalExecutionState(execution.state)) continue;
      this.setState(execution, 'FAILED', cause);
      affected = true;
    }
    if (affected) this.handleFailure(cause);
    this.notifyIfAllTerminal();
  }

  /**
   * Fails the job for good, whatever its restart strategy allows (Flink's SuppressRestartsException):
   * for a failure that a restart would only repeat, such as a result over its size limit. Resolves
   * once it is FAILED (or had already ended, or is being cancelled).
   */
  async fail(cause: SerializedError): Promise<JobMasterResult> {
    if (!isTerminalJobStatus(this.status) && this.status !== 'CANCELLING' && !this.suppressRestarts) {
      this.suppressRestarts = true;
      if (this.status !== 'FAILING') this.transition('FAILING', cause);
      await this.cancelAllTasks();
      await this.finish('FAILED', cause);
    }
    return this.result;
  }

  /** Cancels the job; resolves once it is CANCELED (or had already ended). */
  async cancel(): Promise<JobMasterResult> {
    if (!isTerminalJobStatus(this.status) && this.status !== 'CANCELLING') {
      this.transition('CANCELLING');
      await this.cancelAllTasks();
      await this.finish('CANCELED');
    }
    return this.result;
  }

  private async scheduleAttempt(): Promise<void> {
    const parallelism = Math.max(...this.options.jobGraph.vertices.map((vertex) => vertex.parallelism));
    try {
      await this.slots.acquire(parallelism, () => this.status === 'RUNNING');
    } catch (error) {
      if (this.status === 'RUNNING') this.handleFailure(serializeError(error));
      return;
    }
    if (this.status !== 'RUNNING') return;
    this.deployAll();
  }

  private deployAll(): void {
    const graph = this.graph;
    this.executions = new Map();
    const attempts = new Map<string, Execution[]>();
    for (const vertex of graph.vertices) {
      attempts.set(
        vertex.id,
        Array.from({ length: vertex.parallelism }, (_, subtaskIndex) => ({
          executionAttemptId: newId('attempt'),
          vertexId: vertex.id,
          vertexName: vertex.name,
          subtaskIndex,
          attemptNumber: this.attemptNumber,
          state: 'CREATED' as ExecutionState,
          slot: this.slots.slotOf(subtaskIndex)!,
        })),
      );
    }
    for (const execution of [...attempts.values()].flat()) {
      this.executions.set(execution.executionAttemptId, execution);
      this.setState(execution, 'SCHEDULED');
    }
    const { jobId, applicationId, jobmanagerAddress } = this.options;
    const context = { jobId, graph, applicationId, jobmanagerAddress, attempts, checkpointing: !!this.checkpoints };
    // A restart restores every task from the latest completed checkpoint instead of the beginning.
    const restoreFrom = this.checkpoints?.latestCompleted();
    for (const vertex of graph.vertices) {
      for (const execution of attempts.get(vertex.id)!) {
        const descriptor = createTaskDeploymentDescriptor(context, vertex, execution);
        const state = restoreFrom?.states.get(subtaskStateKey(vertex.id, execution.subtaskIndex));
        if (restoreFrom && state) descriptor.restore = { checkpointId: restoreFrom.checkpointId, state };
        this.setState(execution, 'DEPLOYING');
        this.options.deployer.submitTask(execution.slot.taskExecutorId, descriptor).catch((error: unknown) => {
          this.updateTaskExecutionState(execution.executionAttemptId, 'FAILED', serializeError(error));
        });
      }
    }
  }

  private handleFailure(cause: SerializedError): void {
    if (this.status !== 'RUNNING') return;
    this.checkpoints?.abortPending(`the job is failing: ${cause.message}`);
    this.transition('FAILING', cause);
    void (async () => {
      await this.cancelAllTasks();
      if (this.status !== 'FAILING' || this.suppressRestarts) return;
      this.restartStrategy.notifyFailure();
      if (!this.restartStrategy.canRestart()) {
        this.options.logger.warn(
          { jobId: this.options.jobId, cause: cause.message },
          `job failed; ${this.restartStrategy.describe()} allows no more restarts`,
        );
        await this.finish('FAILED', cause);
        return;
      }
      const backoffMs = this.restartStrategy.getBackoffTimeMs();
      this.transition('RESTARTING', cause);
      this.options.logger.info({ jobId: this.options.jobId, backoffMs, cause: cause.message }, 'restarting job');
      await this.waitBeforeRestart(backoffMs);
      if ((this.status as JobStatus) !== 'RESTARTING') return;
      this.attemptNumber++;
      this.restarts++;
      this.transition('RUNNING');
      await this.scheduleAttempt();
    })();
  }

  /** Waits out the restart backoff; the wait ends early when the job ends meanwhile (cancel, fail). */
  private waitBeforeRestart(backoffMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endRestartWait = undefined;
        resolve();
      };
      // The server keeps the process alive; a job waiting to restart must not keep a stopping one alive.
      const timer = setTimeout(done, backoffMs).unref();
      this.endRestartWait = done;
    });
  }

  private async cancelAllTasks(): Promise<void> {
    const running = this.getExecutions().filter((execution) => !isTerminalExecutionState(execution.state));
    for (const execution of running) {
      if (execution.state !== 'CANCELING') this.setState(execution, 'CANCELING');
      this.options.deployer.cancelTask(execution.slot.taskExecutorId, execution.executionAttemptId).catch(() => {
        // The task executor is unreachable: the task cannot be running anywhere we can reach.
        if (!isTerminalExecutionState(execution.state)) this.setState(execution, 'CANCELED');
        this.notifyIfAllTerminal();
      });
    }
    await this.allTerminal(this.options.cancellationTimeoutMs ?? 10_000);
  }

  private allTerminal(timeoutMs: number): Promise<void> {
    if (this.getExecutions().every((execution) => isTerminalExecutionState(execution.state))) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const execution of this.getExecutions())
          if (!isTerminalExecutionState(execution.state)) this.setState(execution, 'CANCELED');
        resolve();
      }, timeoutMs).unref();
      this.terminalWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private notifyIfAllTerminal(): void {
    if (!this.getExecutions().every((execution) => isTerminalExecutionState(execution.state))) return;
    for (const waiter of this.terminalWaiters.splice(0)) waiter();
  }

  private async finish(status: JobStatus, failure?: SerializedError): Promise<void> {
    if (isTerminalJobStatus(this.status)) return;
    this.endRestartWait?.();
    this.checkpoints?.stop(`the job ended ${status}`);
    this.endedAt = new Date();
    if (status === 'FAILED') this.failure = failure;
    this.transition(status, failure);
    await this.slots.releaseAll(`job ${this.options.jobId} ${status}`);
    this.settle({ status, failure, durationMs: this.endedAt.getTime() - this.startedAt.getTime() });
  }

  private transition(status: JobStatus, failure?: SerializedError): void {
    this.status = status;
    this.options.listener.jobStatusChanged(status, failure);
  }

  private setState(execution: Execution, state: ExecutionState, failure?: SerializedError): void {
    execution.state = state;
    if (failure) execution.failure = failure;
    this.options.listener.taskStateChanged({ ...execution });
  }
}
