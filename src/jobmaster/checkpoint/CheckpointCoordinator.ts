/**
 * Coordinates a job's checkpoints (Flink's CheckpointCoordinator). Every interval, when every task
 * of the job runs, it triggers checkpoint n+1 at the source tasks: each snapshots its position and
 * state and sends a barrier downstream, and every task acknowledges with its snapshot once the
 * barrier passed it (aligned over all its input channels). When every task has acknowledged, the
 * checkpoint is stored, counts as completed, the tasks are told (their sinks commit), and only the
 * last `retained` completed checkpoints are kept. A decline, a timeout or a failure of the job
 * aborts the pending checkpoint; at most one is pending at a time. A restarted job restores from
 * {@link CheckpointCoordinator.latestCompleted}, and checkpoint ids keep increasing across restarts
 * (and continue after the id of the savepoint a job was started from).
 *
 * A savepoint ({@link CheckpointCoordinator.triggerSavepoint}) is a checkpoint taken on request
 * (after the pending one, if any) and written to a folder of its own, which retention never
 * deletes. With `stop`, the sources stop emitting after its barrier and finish once it completed
 * (stop-with-savepoint); no periodic checkpoint is triggered meanwhile, and should it abort, the
 * next one resumes the sources.
 */
import { FailedPreconditionError } from '../../common/errors.js';
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
  /**
   * Asks a source task to start checkpoint `checkpointId` (and, with `stop`, to stop emitting after
   * it); resolves false when the task did not take it.
   */
  trigger(task: CheckpointTask, checkpointId: number, timestamp: number, stop: boolean): Promise<boolean>;
  /** Tells a task that checkpoint `checkpointId` completed. */
  confirm(task: CheckpointTask, checkpointId: number): Promise<void>;
  /** Called with each completed checkpoint, after it was stored. */
  onCompleted?(checkpoint: CompletedCheckpoint): void;
  /** Writes a savepoint into `folder` (with its manifest); needed for {@link CheckpointCoordinator.triggerSavepoint}. */
  storeSavepoint?(folder: string, checkpoint: CompletedCheckpoint): Promise<void>;
  /** The checkpoint the job was started from (a savepoint): restored from until one of its own completed. */
  initial?: CompletedCheckpoint;
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
  /** Resolves when it completed or was aborted. */
  settled: Promise<void>;
  settle: () => void;
  /** Set for a savepoint: where it goes, whether the job stops with it, and who waits for it. */
  savepoint?: {
    folder: string;
    stop: boolean;
    resolve(checkpoint: CompletedCheckpoint): void;
    reject(error: Error): void;
  };
}

/** A savepoint to take. */
export interface SavepointTrigger {
  /** The folder to write it into (made by the coordinator). */
  folder: string;
  /** Stop the job with it (stop-with-savepoint). */
  stop: boolean;
}

/** Triggers, collects, completes and aborts the checkpoints of one job. */
export class CheckpointCoordinator {
  private nextCheckpointId = 1;
  private pending: PendingCheckpoint | undefined;
  /** The retained periodic checkpoints, oldest first (savepoints are not among them). */
  private completed: CompletedCheckpoint[] = [];
  private latest: CompletedCheckpoint | undefined;
  /** A stop-with-savepoint is pending: no periodic checkpoint is triggered. */
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** How many checkpoints completed and were aborted, for logs and tests. */
  readonly counts = { completed: 0, aborted: 0 };

  constructor(private readonly options: CheckpointCoordinatorOptions) {
    this.now = options.now ?? Date.now;
    this.latest = options.initial;
    if (options.initial) this.nextCheckpointId = options.initial.checkpointId + 1;
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
    return this.latest;
  }

  /** The id of the pending checkpoint, if one is. */
  pendingCheckpointId(): number | undefined {
    return this.pending?.checkpointId;
  }

  /**
   * Triggers the next checkpoint at every source task; resolves with its id, or undefined when
   * none was triggered (one is pending, a stop-with-savepoint is under way, or not every task runs).
   */
  async triggerCheckpoint(): Promise<number | undefined> {
    if (this.pending || this.stopping) return undefined;
    const participants = this.options.participants();
    if (!participants || participants.sources.length === 0) return undefined;
    return this.triggerWith(participants);
  }

  /**
   * Takes a savepoint once the pending checkpoint, if any, has settled; resolves with it once it is
   * stored. Rejects with FailedPreconditionError when not every task runs, a stop-with-savepoint is
   * already under way, or the savepoint is aborted (the reason is in the message).
   */
  async triggerSavepoint({ folder, stop }: SavepointTrigger): Promise<CompletedCheckpoint> {
    if (!this.options.storeSavepoint) throw new Error('this checkpoint coordinator cannot store savepoints');
    const deadline = this.now() + this.options.settings.timeoutMs;
    while (this.pending) {
      if (this.stopping) throw new FailedPreconditionError('the job is already being stopped with a savepoint');
      const pending = this.pending;
      await Promise.race([pending.settled, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      if (this.now() > deadline)
        throw new FailedPreconditionError(
          `checkpoint ${pending.checkpointId} did not settle within ${this.options.settings.timeoutMs} ms; try again`,
        );
    }
    const participants = this.options.participants();
    if (!participants || participants.sources.length === 0)
      throw new FailedPreconditionError(
        'not every task of the job runs now (it is being deployed or restarted); try again once every task is RUNNING',
      );
    if (stop) this.stopping = true;
    return new Promise<CompletedCheckpoint>((resolve, reject) => {
      void this.triggerWith(participants, { folder, stop, resolve, reject });
    });
  }

  private async triggerWith(
    participants: CheckpointParticipants,
    savepoint?: PendingCheckpoint['savepoint'],
  ): Promise<number> {
    const checkpointId = this.nextCheckpointId++;
    const timestamp = this.now();
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const what = savepoint ? 'savepoint' : 'checkpoint';
    const pending: PendingCheckpoint = {
      checkpointId,
      timestamp,
      waiting: new Map(participants.all.map((task) => [task.executionAttemptId, task])),
      tasks: participants.all,
      states: new Map(),
      timer: setTimeout(
        () => this.abort(checkpointId, `the ${what} did not complete within ${this.options.settings.timeoutMs} ms`),
        this.options.settings.timeoutMs,
      ).unref(),
      settled,
      settle,
      savepoint,
    };
    this.pending = pending;
    const stop = savepoint?.stop === true;
    const triggered = await Promise.all(
      participants.sources.map((task) =>
        this.options.trigger(task, checkpointId, timestamp, stop).catch((error: unknown) => {
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
    pending.settle();
    if (pending.savepoint?.stop) this.stopping = false;
    pending.savepoint?.reject(
      new FailedPreconditionError(
        `savepoint ${checkpointId} was aborted: ${reason}${pending.savepoint.stop ? '; the job runs on' : ''}`,
      ),
    );
    this.options.logger.info(
      { jobId: this.options.jobId, checkpointId },
      `${pending.savepoint ? 'savepoint' : 'checkpoint'} aborted: ${reason}`,
    );
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    clearTimeout(pending.timer);
    const checkpoint: CompletedCheckpoint = {
      jobId: this.options.jobId,
      checkpointId: pending.checkpointId,
      timestamp: pending.timestamp,
      completedAt: this.now(),
      states: pending.states,
      ...(pending.savepoint ? { savepoint: true } : {}),
    };
    try {
      if (pending.savepoint) {
        await this.options.storeSavepoint!(pending.savepoint.folder, checkpoint);
        checkpoint.externalPath = pending.savepoint.folder;
      } else {
        const folder = await this.options.storage.store(checkpoint);
        if (folder !== undefined) checkpoint.externalPath = folder;
      }
    } catch (error) {
      if (this.pending === pending) {
        this.options.logger.warn({ err: error, checkpointId: pending.checkpointId }, 'could not store a checkpoint');
        this.abort(pending.checkpointId, `storing it failed: ${(error as Error).message}`);
      }
      return;
    }
    // Aborted while it was being stored (the job failed): it does not count, and is not restored from.
    if (this.pending !== pending) {
      if (!pending.savepoint) await this.options.storage.discard(checkpoint).catch(() => undefined);
      return;
    }
    this.pending = undefined;
    this.latest = checkpoint;
    if (!pending.savepoint) this.completed.push(checkpoint);
    this.counts.completed++;
    pending.settle();
    this.options.logger.debug(
      {
        jobId: this.options.jobId,
        checkpointId: checkpoint.checkpointId,
        durationMs: checkpoint.completedAt - checkpoint.timestamp,
      },
      pending.savepoint ? `savepoint completed: ${pending.savepoint.folder}` : 'checkpoint completed',
    );
    this.options.onCompleted?.(checkpoint);
    for (const task of pending.tasks)
      this.options
        .confirm(task, checkpoint.checkpointId)
        .catch((error: unknown) =>
          this.options.logger.debug({ err: error }, 'a checkpoint confirmation did not reach its task'),
        );
    pending.savepoint?.resolve(checkpoint);
    for (const old of this.completed.splice(0, Math.max(0, this.completed.length - this.options.settings.retained)))
      await this.options.storage
        .discard(old)
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, checkpointId: old.checkpointId },
            'could not delete an old checkpoint',
          ),
        );
  }
}
