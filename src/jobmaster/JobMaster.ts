/**
 * Runs one job: asks for slots (slot sharing, as in Flink: one slot holds at most one subtask of
 * each vertex, so a job of maximum parallelism P takes P slots), deploys every subtask, tracks each
 * execution state, and drives the job's status. A failed task, or a task executor that is lost,
 * fails the attempt: every task is cancelled and, if the restart strategy allows, the whole job is
 * redeployed after the backoff on the slots that remain (plus replacements). Cancel stops every
 * task and frees every slot.
 */
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { isTerminalExecutionState, isTerminalJobStatus, serializeError, type ExecutionState, type JobStatus, type SerializedError } from '../common/status.js';
import type { JobGraph, JobVertex, ResourceProfile } from '../jobgraph/jobGraph.js';
import type { SlotAssignment } from '../resourcemanager/ResourceManager.js';
import { ANY_RESOURCES } from '../resourcemanager/SlotStatus.js';
import type { Execution } from './Execution.js';
import { createRestartStrategy, type RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy.js';
import type { TaskDeployer } from './TaskDeployer.js';
import { partitionIdOf, type TaskDeploymentDescriptor } from './TaskDeploymentDescriptor.js';

/** Where the job master gets slots. */
export interface SlotProvider {
  requestSlot(jobId: string, resources: ResourceProfile): Promise<SlotAssignment>;
  freeSlot(assignment: SlotAssignment, reason: string): Promise<void>;
}

/** What the job master reports as it goes. */
export interface JobMasterListener {
  jobStatusChanged(status: JobStatus, failure?: SerializedError): void;
  taskStateChanged(execution: Execution): void;
}

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
}

/** The master of one job. */
export class JobMaster {
  private status: JobStatus = 'CREATED';
  private readonly slotsBySubtask: (SlotAssignment | undefined)[] = [];
  private executions = new Map<string, Execution>();
  private attemptNumber = 0;
  private readonly restartStrategy: RestartBackoffTimeStrategy;
  private readonly startedAt = Date.now();
  private settle!: (result: JobMasterResult) => void;
  private terminalWaiters: Array<() => void> = [];
  /** Resolves when the job reaches a terminal status. */
  readonly result: Promise<JobMasterResult> = new Promise((resolve) => (this.settle = resolve));
  /** How many times the job restarted. */
  restarts = 0;

  constructor(private readonly options: JobMasterOptions) {
    this.restartStrategy = createRestartStrategy(options.jobGraph.restartStrategy);
  }

  /** The job's status now. */
  getStatus(): JobStatus {
    return this.status;
  }

  /** The current attempts of every subtask. */
  getExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  /** Starts scheduling: slots first, then every task. */
  start(): void {
    this.transition('RUNNING');
    void this.scheduleAttempt();
  }

  /** Applies a task's state report; false when the attempt is unknown or stale (it should stop). */
  updateTaskExecutionState(executionAttemptId: string, state: ExecutionState, failure?: SerializedError): boolean {
    const execution = this.executions.get(executionAttemptId);
    if (!execution || isTerminalExecutionState(execution.state)) return false;
    this.setState(execution, state, failure);
    if (state === 'FAILED') this.handleFailure(failure ?? { name: 'Error', message: `task ${execution.vertexName} (${execution.subtaskIndex + 1}) failed`, stack: '' });
    else if (state === 'FINISHED' && this.status === 'RUNNING' && this.getExecutions().every((e) => e.state === 'FINISHED')) void this.finish('FINISHED');
    this.notifyIfAllTerminal();
    return true;
  }

  /** Fails every task that ran on a lost task executor. */
  taskExecutorLost(taskExecutorId: string, reason: string): void {
    const cause: SerializedError = { name: 'TaskExecutorLostError', message: `task executor ${taskExecutorId} was lost: ${reason}`, stack: '' };
    let affected = false;
    for (const [index, slot] of this.slotsBySubtask.entries()) if (slot?.taskExecutorId === taskExecutorId) this.slotsBySubtask[index] = undefined;
    for (const execution of this.executions.values()) {
      if (execution.slot.taskExecutorId !== taskExecutorId || isTerminalExecutionState(execution.state)) continue;
      this.setState(execution, 'FAILED', cause);
      affected = true;
    }
    if (affected) this.handleFailure(cause);
    this.notifyIfAllTerminal();
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
    const resources = this.options.jobGraph.vertices.find((vertex) => vertex.resources)?.resources ?? ANY_RESOURCES;
    try {
      await Promise.all(
        Array.from({ length: parallelism }, async (_, index) => {
          if (this.slotsBySubtask[index]) return;
          const slot = await this.options.slots.requestSlot(this.options.jobId, resources);
          // A slot that arrives after the job ended goes straight back.
          if (isTerminalJobStatus(this.status)) await this.options.slots.freeSlot(slot, `job ${this.options.jobId} ${this.status}`);
          else this.slotsBySubtask[index] = slot;
        }),
      );
    } catch (error) {
      if (this.status === 'RUNNING') this.handleFailure(serializeError(error));
      return;
    }
    if (this.status !== 'RUNNING') return;
    this.deployAll();
  }

  private deployAll(): void {
    const graph = this.options.jobGraph;
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
          slot: this.slotsBySubtask[subtaskIndex]!,
        })),
      );
    }
    for (const execution of [...attempts.values()].flat()) {
      this.executions.set(execution.executionAttemptId, execution);
      this.setState(execution, 'SCHEDULED');
    }
    for (const vertex of graph.vertices) {
      for (const execution of attempts.get(vertex.id)!) {
        const descriptor = this.describe(vertex, execution, attempts);
        this.setState(execution, 'DEPLOYING');
        this.options.deployer.submitTask(execution.slot.taskExecutorId, descriptor).catch((error: unknown) => {
          this.updateTaskExecutionState(execution.executionAttemptId, 'FAILED', serializeError(error));
        });
      }
    }
  }

  private describe(vertex: JobVertex, execution: Execution, attempts: Map<string, Execution[]>): TaskDeploymentDescriptor {
    const graph = this.options.jobGraph;
    const inputs = graph.edges
      .filter((edge) => edge.targetVertexId === vertex.id)
      .map((edge) => ({
        sourceVertexId: edge.sourceVertexId,
        shipStrategy: edge.shipStrategy,
        keySelector: edge.keySelector,
        channels: (edge.shipStrategy === 'forward' ? [attempts.get(edge.sourceVertexId)![execution.subtaskIndex]] : attempts.get(edge.sourceVertexId)!).map(
          (producer) => ({
            producerAddress: producer.slot.address,
            partitionId: partitionIdOf(producer.executionAttemptId, vertex.id),
            subpartitionIndex: edge.shipStrategy === 'forward' ? 0 : execution.subtaskIndex,
          }),
        ),
      }));
    const outputs = graph.edges
      .filter((edge) => edge.sourceVertexId === vertex.id)
      .map((edge) => ({
        partitionId: partitionIdOf(execution.executionAttemptId, edge.targetVertexId),
        targetVertexId: edge.targetVertexId,
        shipStrategy: edge.shipStrategy,
        subpartitions: edge.shipStrategy === 'forward' ? 1 : graph.vertices.find((v) => v.id === edge.targetVertexId)!.parallelism,
        keySelector: edge.keySelector,
      }));
    return {
      jobId: this.options.jobId,
      jobName: graph.name,
      vertexId: vertex.id,
      vertexName: vertex.name,
      subtaskIndex: execution.subtaskIndex,
      parallelism: vertex.parallelism,
      attemptNumber: execution.attemptNumber,
      executionAttemptId: execution.executionAttemptId,
      allocationId: execution.slot.allocationId,
      operators: vertex.operators,
      inputs,
      outputs,
      bundle: graph.bundle,
      resources: vertex.resources ?? ANY_RESOURCES,
      applicationId: this.options.applicationId,
      jobmanagerAddress: this.options.jobmanagerAddress,
    };
  }

  private handleFailure(cause: SerializedError): void {
    if (this.status !== 'RUNNING') return;
    this.transition('FAILING', cause);
    void (async () => {
      await this.cancelAllTasks();
      if (this.status !== 'FAILING') return;
      this.restartStrategy.notifyFailure();
      if (!this.restartStrategy.canRestart()) {
        this.options.logger.warn({ jobId: this.options.jobId, cause: cause.message }, `job failed; ${this.restartStrategy.describe()} allows no more restarts`);
        await this.finish('FAILED', cause);
        return;
      }
      const backoffMs = this.restartStrategy.getBackoffTimeMs();
      this.transition('RESTARTING', cause);
      this.options.logger.info({ jobId: this.options.jobId, backoffMs, cause: cause.message }, 'restarting job');
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      if ((this.status as JobStatus) !== 'RESTARTING') return;
      this.attemptNumber++;
      this.restarts++;
      this.transition('RUNNING');
      await this.scheduleAttempt();
    })();
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
        for (const execution of this.getExecutions()) if (!isTerminalExecutionState(execution.state)) this.setState(execution, 'CANCELED');
        resolve();
      }, timeoutMs);
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
    this.transition(status, failure);
    const slots = this.slotsBySubtask.splice(0).filter((slot): slot is SlotAssignment => slot !== undefined);
    await Promise.all(slots.map((slot) => this.options.slots.freeSlot(slot, `job ${this.options.jobId} ${status}`)));
    this.settle({ status, failure, durationMs: Date.now() - this.startedAt });
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
