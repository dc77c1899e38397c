/**
 * What the Dispatcher drives a job through (Flink's JobMasterService): its status, its current
 * attempts, its end, and the requests that change it. {@link JobMaster} runs a dataflow's tasks in
 * slots; the main job of an application in application mode is run by another implementation
 * (`src/dispatcher/ApplicationMainRunner.ts`), which has no tasks at all.
 */
import type { SerializedError, ExecutionState, JobStatus } from '../common/status.js';
import type { Execution } from './Execution.js';
import type { CompletedCheckpoint } from './checkpoint/CompletedCheckpoint.js';
import type { JobMasterResult, TaskCounts } from './JobMaster.js';

/** A running or ended job as the Dispatcher sees it. */
export interface JobMasterService {
  /** Resolves when the job reaches a terminal status. */
  readonly result: Promise<JobMasterResult>;
  /** How many times the job restarted. */
  readonly restarts: number;
  getStatus(): JobStatus;
  getExecutions(): Execution[];
  getExecution(executionAttemptId: string): Execution | undefined;
  getTaskCounts(): TaskCounts;
  getStartTime(): Date;
  getEndTime(): Date | undefined;
  getFailure(): SerializedError | undefined;
  /** Starts the job (RUNNING). */
  start(): void;
  /** Applies a task's state report; false for an unknown or stale attempt. */
  updateTaskExecutionState(executionAttemptId: string, state: ExecutionState, failure?: SerializedError): boolean;
  /** Takes a task's snapshot for a checkpoint; false when the checkpoint or the attempt is not pending. */
  acknowledgeCheckpoint(executionAttemptId: string, checkpointId: number, state: Uint8Array): boolean;
  /** A task could not take its snapshot for a checkpoint. */
  declineCheckpoint(executionAttemptId: string, checkpointId: number, reason: string): void;
  /** Fails what ran on a lost task executor. */
  taskExecutorLost(taskExecutorId: string, reason: string): void;
  /** Fails the job for good; resolves once it ended. */
  fail(cause: SerializedError): Promise<JobMasterResult>;
  /** Cancels the job; resolves once it ended. */
  cancel(): Promise<JobMasterResult>;
  /** Takes a savepoint into a new folder in `targetDirectory` (with `stop`, the job ends with it); absent for jobs that take none. */
  triggerSavepoint?(targetDirectory: string, stop: boolean): Promise<CompletedCheckpoint>;
}
