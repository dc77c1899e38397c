/**
 * Coordinates a job's checkpoints (Flink's CheckpointCoordinator). Every interval, when every task
 * of the job runs, it triggers checkpoint n+1 at the source tasks: each snapshots its position and
 * state and sends a barrier downstream, and every task acknowledges with its snapshot once the
 * barrier passed it (aligned over all its input channels). When every task has acknowledged, the
 * checkpoint is stored, counts as completed, the tasks are told (their sinks commit), and only the
 * last `retained` completed checkpoints are kept. A decline, a timeout or a failure of the job
 * aborts the pending checkpoint; at most one is pending at a time. A restarted job restores from
 * {@link CheckpointCoordinator.latestCompleted}, and checkpoint ids keep increasing across restarts.
 */
import type { Logger } from '../../common/logger.js';
import type { CheckpointingSettings } from '../../jobgraph/CheckpointingSettings.js';
import type { CheckpointStorage } from './CheckpointStorage.js';
import { subtaskStateKey, type CompletedCheckpoint } from './CompletedCheckpoint.js';

/** A task as the coordinator addresses it. */
export interface CheckpointTask {
  executionAttemptId: string;
  vertexId: string;
  subtaskIndex: number;
}

/** The tasks of the current attempt, when every one of them runs. */
export interface CheckpointParticipants {
  /** The tasks that start with a source: they are triggered. */
  sources: CheckpointTask[];
  /** Every task: each acknowledges. */
  all: CheckpointTask[];
}

/** What a {@link CheckpointCoordinator} works with. */
export interface CheckpointCoordinatorOptions {
  jobId: string;
  settings: CheckpointingSettings;
  storage: CheckpointStorage;
  logger: Logger;
  /** The tasks to checkpoint; undefined while not every task runs (no checkpoint is triggered then). */
  participants(): CheckpointParticipants | undefined;
  /** Asks a source task to start checkpoint `checkpointId`; resolves false when the task did not take it. */
  trigger(task: CheckpointTask, checkpointId: number, timestamp: number): Promise<boolean>;
  /** Tells a task that checkpoint `checkpointId` completed. */
  confirm(task: CheckpointTask, checkpointId: number): Promise<void>;
  /** Called with each completed checkpoint, after it was stored. */
  onCompleted?(checkpoint: CompletedCheckpoint): void;
  /** The clock; `Date.now` by default. */
  now?: () => number;
}

/** A triggered checkpoint waiting for acknowledgements (Flink's PendingCheckpoint). */
interface PendingCheckpoint {
  checkpointId: number;
  timestamp: number;
  /** The tasks that have not acknowledged yet, by attempt id. */
  waiting: Map<string, CheckpointTask>;
  tasks: CheckpointTask[];
  states: Map<string, Uint8Array>;
  timer: NodeJS.Timeout;
}

/** Triggers, collects, completes and aborts the checkpoints of one job. */
export class CheckpointCoordinator {
  private nextCheckpointId = 1;
  private pending: PendingCheckpoint | undefined;
  private completed: CompletedCheckpoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** How many checkpoints completed and were aborted, for logs and tests. */
  readonly counts = { completed: 0, aborted: 0 };

  constructor(private readonly options: CheckpointCoordinatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts triggering every interval (Flink's startCheckpointScheduler). */
  start(): void {
    if (this.timer) return;
    // Unreferenced: a job waiting for its next checkpoint must not keep a stopping process alive.
    this.timer = setInterval(() => void this.triggerCheckpoint(), this.options.settings.intervalMs).unref();
  }

  /** Stops triggering and aborts the pending checkpoint. */
  stop(reason: string): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.abortPending(reason);
  }

  /** The newest completed checkpoint, the one a restart restores from. */
  latestCompleted(): CompletedCheckpoint | undefined {
    return this.completed.at(-1);
  }

  /** The id of the pending checkpoint, if one is. */
  pendingCheckpointId(): number | undefined {
    return this.pending?.checkpointId;
  }

  /**
   * Triggers the next checkpoint at every source task; resolves with its id, or undefined when
   * none was triggered (one is pending, or not every task runs).
   */
  async triggerCheckpoint(): Promise<number | undefined> {
    if (this.pending) return undefined;
    const participants = this.options.participants();
    if (!participants || participants.sources.length === 0) return undefined;
    const checkpointId = this.nextCheckpointId++;
    const timestamp = this.now();
    const pending: PendingCheckpoint = {
      checkpointId,
      timestamp,
      waiting: new Map(participants.all.map((task) => [task.executionAttemptId, task])),
      tasks: participants.all,
      states: new Map(),
      timer: setTimeout(
        () => this.abort(checkpointId, `it did not complete within ${this.options.settings.timeoutMs} ms`),
        this.options.settings.timeoutMs,
      ).unref(),
    };
    this.pending = pending;
    const triggered = await Promise.all(
      participants.sources.map((task) =>
        this.options.trigger(task, checkpointId, timestamp).catch((error: unknown) => {
          this.options.logger.debug({ err: error, checkpointId }, 'a checkpoint trigger did not reach its task');
          return false;
        }),
      ),
    );
    if (triggered.some((taken) => !taken)) this.abort(checkpointId, 'a source task did not take the trigger');
    return checkpointId;
  }

  /**
   * Takes a task's snapshot for a checkpoint; false when the checkpoint is not pending (aborted,
   * or an old one) or the attempt is not one it waits for.
   */
  acknowledge(executionAttemptId: string, checkpointId: number, state: Uint8Array): boolean {
    const pending = this.pending;
    if (!pending || pending.checkpointId !== checkpointId) return false;
    const task = pending.waiting.get(executionAttemptId);
    if (!task) return false;
    pending.waiting.delete(executionAttemptId);
    pending.states.set(subtaskStateKey(task.vertexId, task.subtaskIndex), state);
    if (pending.waiting.size === 0) void this.complete(pending);
    return true;
  }

  /** A task could not snapshot: the checkpoint is aborted. */
  decline(executionAttemptId: string, checkpointId: number, reason: string): void {
    if (this.pending?.checkpointId !== checkpointId || !this.pending.waiting.has(executionAttemptId)) return;
    this.abort(checkpointId, `a task declined it: ${reason}`);
  }

  /** Aborts the pending checkpoint, if any (the job fails, restarts or ends). */
  abortPending(reason: string): void {
    if (this.pending) this.abort(this.pending.checkpointId, reason);
  }

  private abort(checkpointId: number, reason: string): void {
    const pending = this.pending;
    if (!pending || pending.checkpointId !== checkpointId) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.counts.aborted++;
    this.options.logger.info({ jobId: this.options.jobId, checkpointId }, `checkpoint aborted: ${reason}`);
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    clearTimeout(pending.timer);
    const checkpoint: CompletedCheckpoint = {
      jobId: this.options.jobId,
      checkpointId: pending.checkpointId,
      timestamp: pending.timestamp,
      completedAt: this.now(),
      states: pending.states,
    };
    try {
      await this.options.storage.store(checkpoint);
    } catch (error) {
      if (this.pending === pending) {
        this.options.logger.warn({ err: error, checkpointId: pending.checkpointId }, 'could not store a checkpoint');
        this.abort(pending.checkpointId, `storing it failed: ${(error as Error).message}`);
      }
      return;
    }
    // Aborted while it was being stored (the job failed): it does not count, and is not restored from.
    if (this.pending !== pending) {
      await this.options.storage.discard(checkpoint).catch(() => undefined);
      return;
    }
    this.pending = undefined;
    this.completed.push(checkpoint);
    this.counts.completed++;
    this.options.logger.debug(
      {
        jobId: this.options.jobId,
        checkpointId: checkpoint.checkpointId,
        durationMs: checkpoint.completedAt - checkpoint.timestamp,
      },
      'checkpoint completed',
    );
    this.options.onCompleted?.(checkpoint);
    for (const old of this.completed.splice(0, Math.max(0, this.completed.length - this.options.settings.retained)))
      await this.options.storage
        .discard(old)
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, checkpointId: old.checkpointId },
            'could not delete an old checkpoint',
          ),
        );
    for (const task of pending.tasks)
      this.options
        .confirm(task, checkpoint.checkpointId)
        .catch((error: unknown) =>
          this.options.logger.debug({ err: error }, 'a checkpoint confirmation did not reach its task'),
        );
  }
}
