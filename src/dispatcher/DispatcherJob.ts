/**
 * One job of a Dispatcher: its job master, and what the Dispatcher keeps about it beside the job
 * master's own state: its events (into the cluster's log), the records of its collect() sinks, its
 * tasks' output, and its summary. The job master reports status and task state changes here;
 * this class turns them into events, keeps or drops collected records, and logs under the job's name.
 */
import type { Logger } from '../common/logger.js';
import {
  isTerminalExecutionState,
  isTerminalJobStatus,
  type ExecutionState,
  type JobStatus,
  type LivingPriority,
  type SerializedError,
} from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import type { Execution } from '../jobmaster/Execution.js';
import { JobMaster, type JobMasterListener } from '../jobmaster/JobMaster.js';
import type { JobMasterService } from '../jobmaster/JobMasterService.js';
import type { CompletedCheckpoint } from '../jobmaster/checkpoint/CompletedCheckpoint.js';
import { CollectLimitExceededError } from './CollectLimitExceededError.js';
import { CollectSinkResults } from './CollectSinkResults.js';
import type { CompiledDispatcherOptions } from './DispatcherOptions.js';
import { gatewayTaskDeployer } from './gatewayTaskDeployer.js';
import type { JobEventLog } from '../runtime/JobEventLog.js';
import type { DispatcherEventKind, DriverSubmissionRef } from '../runtime/JobEvent.js';
import { JobOutputLog } from '../common/JobOutputLog.js';
import type { JobResult } from './JobResult.js';
import type { JobSummary, TaskStateCount } from './JobSummary.js';

/** A task's state report, as a task executor sends it. */
export interface TaskExecutionStateReport {
  taskExecutorId: string;
  jobId: string;
  executionAttemptId: string;
  state: ExecutionState;
  failure?: SerializedError;
}

/** What a {@link DispatcherJob} is made of. */
export interface DispatcherJobOptions {
  jobId: string;
  graph: JobGraph;
  livingPriority: LivingPriority;
  applicationId: string;
  /** The job's place in submission order, for listing newest first. */
  ordinal: number;
  dispatcher: CompiledDispatcherOptions;
  events: JobEventLog<DispatcherEventKind>;
  /** Called once, when the job reaches a terminal status. */
  onEnded(job: DispatcherJob): void;
  /** Told of every status change after it was recorded (the application rules follow jobs here). */
  onStatusChanged?(job: DispatcherJob, status: JobStatus, failure?: SerializedError): void;
  /** Told of every task state change after it was recorded. */
  onTaskStateChanged?(job: DispatcherJob, execution: Execution): void;
  /**
   * Creates the job's master when it is not a dataflow run in slots by a {@link JobMaster} (the main
   * job of application mode); called from the constructor, once the job's output log exists.
   */
  createMaster?(job: DispatcherJob, listener: JobMasterListener, logger: Logger): JobMasterService;
  /** True for an application's main job, whose `main()` runs in the job manager process. */
  mainInJobManager?: boolean;
  /** For a job a driver submitted: which submission of its attempt it is (named in its status events). */
  submission?: DriverSubmissionRef;
  /** The savepoint the job starts from, re-sliced for its graph. */
  restore?: CompletedCheckpoint;
}

/** Execution states in Flink's lifecycle order, the order of task counts in summaries. */
const STATE_ORDER: readonly ExecutionState[] = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'INITIALIZING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
];

/** A job the Dispatcher runs or ran. */
export class DispatcherJob {
  readonly jobId: string;
  readonly name: string;
  readonly applicationId: string;
  readonly livingPriority: LivingPriority;
  readonly ordinal: number;
  readonly master: JobMasterService;
  /** Whether the job stands for an application's `main()` running in the job manager process. */
  readonly mainInJobManager: boolean;
  readonly output: JobOutputLog;
  private readonly results: CollectSinkResults;
  private collected = new Map<string, unknown[]>();
  private readonly logger: Logger;

  constructor(private readonly options: DispatcherJobOptions) {
    const { jobId, graph, dispatcher } = options;
    this.jobId = jobId;
    this.name = graph.name || jobId;
    this.applicationId = options.applicationId;
    this.livingPriority = options.livingPriority;
    this.ordinal = options.ordinal;
    this.mainInJobManager = options.mainInJobManager === true;
    this.logger = dispatcher.logger.child({
      jobId,
      jobName: this.name,
      ...(this.applicationId ? { applicationId: this.applicationId } : {}),
    });
    this.results = new CollectSinkResults(graph, dispatcher.maxCollectedBytesPerJob);
    this.output = new JobOutputLog(jobId, dispatcher.maxOutputBytesPerJob);
    this.master =
      options.createMaster?.(this, this.listener(), this.logger) ??
      new JobMaster({
        jobId,
        jobGraph: graph,
        applicationId: this.applicationId,
        jobmanagerAddress: dispatcher.jobmanagerAddress(),
        slots: dispatcher.resources,
        deployer: gatewayTaskDeployer(dispatcher.resources),
        listener: this.listener(),
        logger: this.logger,
        cancellationTimeoutMs: dispatcher.cancellationTimeoutMs,
        restore: options.restore,
      });
  }

  /** The job's graph as submitted (with the savepoint it restores from, when it does). */
  get graph(): JobGraph {
    return this.options.graph;
  }

  /** The job's status now. */
  get status(): JobStatus {
    return this.master.getStatus();
  }

  /** Whether the job reached a terminal status. */
  get ended(): boolean {
    return isTerminalJobStatus(this.status);
  }

  /** Records the job's creation and starts its job master. */
  start(): void {
    this.logger.info(
      { livingPriority: this.livingPriority, vertices: this.options.graph.vertices.length },
      `job "${this.name}" submitted`,
    );
    this.recordStatus('CREATED');
    this.master.start();
  }

  /** The job as GetJob and ListJobs show it. */
  summary(): JobSummary {
    const counts = this.master.getTaskCounts();
    const taskCounts: TaskStateCount[] = STATE_ORDER.filter((state) => (counts[state] ?? 0) > 0).map((state) => ({
      state,
      count: counts[state]!,
    }));
    const endTime = this.master.getEndTime();
    const failure = this.master.getFailure();
    return {
      id: this.jobId,
      name: this.name,
      status: this.status,
      livingPriority: this.livingPriority,
      applicationId: this.applicationId,
      clusterId: this.options.dispatcher.clusterId,
      submitTime: this.master.getStartTime(),
      ...(endTime ? { endTime } : {}),
      ...(failure ? { failure } : {}),
      restarts: this.master.restarts,
      taskCounts,
    };
  }

  /** Resolves once the job has ended, with its collected records when it finished. */
  async result(): Promise<JobResult> {
    const end = await this.master.result;
    return {
      jobId: this.jobId,
      status: end.status,
      ...(end.failure ? { failure: end.failure } : {}),
      durationMs: end.durationMs,
      collected: end.status === 'FINISHED' ? this.collected : new Map(),
    };
  }

  /** Whether the job master wants `executionAttemptId` running: a current attempt that has not stopped. */
  wantsRunning(executionAttemptId: string): boolean {
    const execution = this.master.getExecution(executionAttemptId);
    return execution !== undefined && !isTerminalExecutionState(execution.state);
  }

  /** Forwards a task's state report; false when the attempt is stale or runs on another task executor. */
  updateTaskExecutionState(report: TaskExecutionStateReport): boolean {
    const execution = this.master.getExecution(report.executionAttemptId);
    if (!execution) return false;
    if (report.taskExecutorId && execution.slot.taskExecutorId !== report.taskExecutorId) {
      this.logger.warn(
        {
          executionAttemptId: report.executionAttemptId,
          from: report.taskExecutorId,
          expected: execution.slot.taskExecutorId,
        },
        'task state report from the wrong task executor ignored',
      );
      return false;
    }
    return this.master.updateTaskExecutionState(report.executionAttemptId, report.state, report.failure);
  }

  /**
   * Keeps records of a current collect() sink attempt; false when the attempt is not current (its
   * records would not count). Records past the job's limit fail the job.
   */
  reportCollectedRecords(executionAttemptId: string, records: readonly unknown[], sizeBytes: number): boolean {
    const execution = this.master.getExecution(executionAttemptId);
    if (
      !execution ||
      this.status !== 'RUNNING' ||
      isTerminalExecutionState(execution.state) ||
      execution.state === 'CANCELING'
    )
      return false;
    if (!this.results.isSink(execution.vertexId)) {
      this.logger.warn(
        { executionAttemptId, vertexId: execution.vertexId },
        'collected records from a vertex without a collect() sink refused',
      );
      return false;
    }
    try {
      this.results.add(execution, records, sizeBytes);
      return true;
    } catch (error) {
      if (!(error instanceof CollectLimitExceededError)) throw error;
      this.logger.warn({ vertexId: execution.vertexId }, error.message);
      void this.master.fail({ name: error.name, message: error.message, stack: '' });
      return false;
    }
  }

  private listener(): JobMasterListener {
    return {
      jobStatusChanged: (status, failure) => {
        if (status === 'FINISHED') this.collected = this.results.complete(this.master.getExecutions());
        else if (status !== 'RUNNING' && status !== 'CREATED') this.results.discardAll();
        this.recordStatus(status, failure);
        if (isTerminalJobStatus(status)) {
          this.output.close();
          this.options.onEnded(this);
        }
        this.options.onStatusChanged?.(this, status, failure);
      },
      taskStateChanged: (execution) => {
        if (execution.state === 'FAILED' || execution.state === 'CANCELED')
          this.results.discardAttempt(execution.executionAttemptId);
        this.recordTask(execution);
        this.options.onTaskStateChanged?.(this, execution);
      },
      checkpointCompleted: (checkpoint) => {
        this.options.events.append(this.jobId, this.applicationId, {
          type: 'checkpointCompleted',
          jobId: this.jobId,
          checkpointId: checkpoint.checkpointId,
          savepoint: checkpoint.savepoint === true,
          externalPath: checkpoint.externalPath ?? '',
          completedAt: new Date(checkpoint.completedAt),
        });
      },
    };
  }

  private recordStatus(status: JobStatus, failure?: SerializedError): void {
    const { jobId, name: jobName, livingPriority, applicationId } = this;
    this.options.events.append(jobId, applicationId, {
      type: 'jobStatusChanged',
      jobId,
      jobName,
      status,
      ...(failure ? { failure } : {}),
      livingPriority,
      ...(this.options.submission ? { submission: this.options.submission } : {}),
    });
    if (status === 'FAILED' || status === 'FAILING' || status === 'RESTARTING')
      this.logger.warn({ status, cause: failure?.message }, `job "${jobName}" is ${status}`);
    else this.logger.info({ status }, `job "${jobName}" is ${status}`);
  }

  private recordTask(execution: Execution): void {
    const { executionAttemptId, vertexId, vertexName, subtaskIndex, attemptNumber, state, failure } = execution;
    const taskExecutorId = execution.slot?.taskExecutorId ?? '';
    this.options.events.append(this.jobId, this.applicationId, {
      type: 'taskStateChanged',
      jobId: this.jobId,
      vertexId,
      vertexName,
      subtaskIndex,
      attemptNumber,
      state,
      ...(failure ? { failure } : {}),
      taskExecutorId,
    });
    if (state === 'FAILED')
      this.logger.warn(
        { executionAttemptId, vertexName, subtaskIndex, attemptNumber, taskExecutorId, cause: failure?.message },
        'task failed',
      );
    else
      this.logger.debug({ executionAttemptId, vertexName, subtaskIndex, attemptNumber, state }, 'task state changed');
  }
}
