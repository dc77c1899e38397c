/**
 * Keeps a task executor in its cluster: registers with the job manager (retrying until it
 * answers), heartbeats at the interval the job manager asks for, registers again when the job
 * manager has forgotten it, and gives up when the job manager has been unreachable for longer than
 * the timeout, so a task executor never outlives its cluster.
 */
import { hostname } from 'node:os';
import type { Logger } from '../common/logger.js';
import type { SlotStatus } from '../runtime/SlotStatus.js';
import type { JobManagerGateway } from '../runtime/JobManagerGateway.js';
import type { TaskExecutorMetricsReport } from '../runtime/TaskExecutorMetricsReport.js';

/** Settings of {@link JobManagerConnection}. */
export interface JobManagerConnectionOptions {
  taskExecutorId: string;
  /** This task executor's own address, for the job manager to call back. */
  address: string;
  jobManagerAddress: string;
  gateway: JobManagerGateway;
  /** How long the job manager may be unreachable before the task executor gives up. */
  unreachableTimeoutMs: number;
  /** The slots to report. */
  slots(): SlotStatus[];
  /** The execution attempts running now. */
  runningAttempts(): string[];
  /** What this task executor counted and measured, sent with every heartbeat. */
  metrics?(): TaskExecutorMetricsReport;
  /** Called after every successful registration. */
  onRegistered?(): void;
  /** Called with attempts this task executor runs that the job manager does not know (they should stop). */
  onUnknownAttempts(executionAttemptIds: string[]): void;
  /** Called once when the job manager has been unreachable for too long. */
  onJobManagerLost(reason: string): void;
  logger: Logger;
}

/** The registration and heartbeat loop. */
export class JobManagerConnection {
  private timer: NodeJS.Timeout | undefined;
  private lastContactAt = Date.now();
  private intervalMs = 1000;
  private registered = false;
  private stopped = false;
  clusterId = '';

  constructor(private readonly options: JobManagerConnectionOptions) {}

  /** Starts registering and heartbeating. */
  start(): void {
    this.lastContactAt = Date.now();
    void this.tick();
  }

  /** Stops the loop. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.options.gateway.close();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.registered) await this.register();
      else {
        const { registered, unknownExecutionAttemptIds } = await this.options.gateway.heartbeat(
          this.options.taskExecutorId,
          this.options.slots(),
          this.options.runningAttempts(),
          this.options.metrics?.(),
        );
        this.lastContactAt = Date.now();
        if (unknownExecutionAttemptIds.length > 0) this.options.onUnknownAttempts(unknownExecutionAttemptIds);
        if (!registered) {
          this.options.logger.warn('the job manager no longer knows this task executor; registering again');
          this.registered = false;
          await this.register();
        }
      }
    } catch (error) {
      const silentFor = Date.now() - this.lastContactAt;
      if (silentFor > this.options.unreachableTimeoutMs) {
        this.stopped = true;
        this.options.onJobManagerLost(
          `job manager at ${this.options.jobManagerAddress} unreachable for ${silentFor} ms (timeout ${this.options.unreachableTimeoutMs} ms): ${(error as Error).message}`,
        );
        return;
      }
      this.options.logger.debug({ err: error, silentFor }, 'job manager did not answer');
    }
    if (!this.stopped)
      this.timer = setTimeout(
        () => void this.tick(),
        this.registered ? this.intervalMs : Math.min(this.intervalMs, 200),
      );
  }

  private async register(): Promise<void> {
    const answer = await this.options.gateway.registerTaskExecutor({
      taskExecutorId: this.options.taskExecutorId,
      address: this.options.address,
      slots: this.options.slots(),
      pid: process.pid,
      hostname: hostname(),
    });
    this.lastContactAt = Date.now();
    this.registered = true;
    this.clusterId = answer.clusterId;
    this.intervalMs = answer.heartbeatIntervalMs;
    this.options.onRegistered?.();
    this.options.logger.info(
      { clusterId: answer.clusterId, jobManager: this.options.jobManagerAddress },
      'registered with the job manager',
    );
  }
}
