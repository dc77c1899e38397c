/**
 * How a task executor reaches its job manager (Flink's JobMasterGateway and ResourceManagerGateway
 * as one). It lives in src/runtime, beside the task deployment descriptor, because both sides use
 * it: the task executor calls it, the job manager answers it. A gRPC client implements it for real
 * clusters (src/taskexecutor/service); a MiniCluster uses the same client over loopback.
 */
import type { ExecutionState, SerializedError } from '../common/status.js';
import type { SlotStatus } from './SlotStatus.js';
import type { TaskExecutorMetricsReport } from './TaskExecutorMetricsReport.js';
import type { TaskExecutorRegistration } from './TaskExecutorRegistration.js';

/** Which stream a task's output line came from. */
export type TaskOutputStream = 'stdout' | 'stderr' | 'logger';

/** The job manager's side of registration, heartbeats and task reports. */
export interface JobManagerGateway {
  /** Registers; resolves with the cluster id and the heartbeat settings to follow. */
  registerTaskExecutor(
    registration: TaskExecutorRegistration,
  ): Promise<{ clusterId: string; heartbeatIntervalMs: number; heartbeatTimeoutMs: number }>;
  /**
   * Sends a heartbeat. `registered` is false when the job manager does not know this task executor
   * any more; `unknownExecutionAttemptIds` are running attempts no job master wants (stale ones).
   * `metrics` is what the task executor counted and measured, for the job manager's metrics.
   */
  heartbeat(
    taskExecutorId: string,
    slots: SlotStatus[],
    runningExecutionAttemptIds: string[],
    metrics?: TaskExecutorMetricsReport,
  ): Promise<{ registered: boolean; unknownExecutionAttemptIds: string[] }>;
  /**
   * Reports a task's new state; resolves false when the job master does not know the attempt any
   * more (it was cancelled or replaced), in which case the task should stop.
   */
  updateTaskExecutionState(report: {
    taskExecutorId: string;
    jobId: string;
    executionAttemptId: string;
    state: ExecutionState;
    failure?: SerializedError;
  }): Promise<boolean>;
  /**
   * Hands records of a collect sink to the job manager, which keeps them for the job's result;
   * resolves false when the attempt is not current (its records will not count).
   */
  reportCollectedRecords(jobId: string, executionAttemptId: string, records: unknown[]): Promise<boolean>;
  /**
   * Hands a task's snapshot for a checkpoint to its job's checkpoint coordinator; resolves false
   * when the checkpoint is no longer pending or the attempt is not current.
   */
  acknowledgeCheckpoint(
    jobId: string,
    executionAttemptId: string,
    checkpointId: number,
    state: Uint8Array,
  ): Promise<boolean>;
  /** Tells the checkpoint coordinator that a task could not take its snapshot. */
  declineCheckpoint(jobId: string, executionAttemptId: string, checkpointId: number, reason: string): Promise<void>;
  /** Forwards what a task wrote to stdout or stderr (print sinks, the driver's console) or its logger. */
  reportTaskOutput(
    jobId: string,
    executionAttemptId: string,
    stream: TaskOutputStream,
    data: Uint8Array,
  ): Promise<void>;
  /** Closes the connection. */
  close(): void;
}
