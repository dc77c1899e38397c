/**
 * The text file sink of a job that takes checkpoints (Flink's FileSink, a two-phase-committing
 * sink): records go to a hidden in-progress file; at a checkpoint's barrier that file is closed
 * and renamed to a pending file of that checkpoint (phase one, its name in the snapshot), and
 * only when the job master says the checkpoint completed is the pending file renamed to its final
 * name `part-<subtaskIndex>-<checkpointId>` (phase two). A restored task commits the pending files
 * of the checkpoint it restores from (their checkpoint completed, whether or not the news reached
 * the sink) and deletes every other uncommitted file of its subtask: what they held is read again
 * from the restored source positions. So every record is in exactly one committed file, once.
 * Commits are renames of files whose names say their checkpoint, so doing one twice is harmless.
 * Records are written to the in-progress file as they come, a buffer at a time (as the plain text
 * sink does), so that a barrier finds only the last buffer to write and the file to sync: the task
 * stops for that, not for everything since the last checkpoint (figure 7, docs/benchmarks.md).
 */
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError } from '../../common/errors.js';
import { formatRecord } from './formatRecord.js';
import { DEFAULT_WRITE_BUFFER_SIZE } from './TextFileSinkWriter.js';
import type { SinkWriter } from './SinkWriter.js';
import type { TaskContext } from './TaskContext.js';

/** What the sink puts into a checkpoint: the checkpoints whose pending files it has not committed yet. */
export interface TransactionalSinkState {
  pending: number[];
}

/** Writes a subtask's records into part files committed per checkpoint. */
export class TransactionalTextFileSinkWriter implements SinkWriter {
  private readonly inProgressFile: string;
  private pending: number[] = [];
  private buffered: string[] = [];
  private bufferedLength = 0;
  /** The in-progress file while it holds records written since the last barrier. */
  private handle: FileHandle | undefined;
  /** Serializes file work: writes, snapshots and commits never interleave. */
  private work: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private state: 'created' | 'open' | 'finished' | 'aborted' = 'created';

  /**
   * @param path The output folder; created when missing.
   * @param context The subtask.
   * @param bufferSize The characters buffered before they are written to the in-progress file.
   */
  constructor(
    private readonly path: string,
    private readonly context: TaskContext,
    private readonly bufferSize = DEFAULT_WRITE_BUFFER_SIZE,
  ) {
    this.inProgressFile = join(path, `.part-${context.subtaskIndex}.attempt-${context.attemptNumber}.inprogress`);
  }

  /** The final name of the part of checkpoint `checkpointId`. */
  partFileOf(checkpointId: number): string {
    return join(this.path, `part-${this.context.subtaskIndex}-${checkpointId}`);
  }

  private pendingFileOf(checkpointId: number): string {
    return join(this.path, `.part-${this.context.subtaskIndex}-${checkpointId}.pending`);
  }

  /** Creates the folder. Uncommitted files of earlier attempts are dealt with by {@link restoreState}, which the task always calls. */
  async open(): Promise<void> {
    if (this.state !== 'created')
      throw new FailedPreconditionError(`the text file sink for ${this.path} was opened already`);
    await mkdir(this.path, { recursive: true });
    this.state = 'open';
  }

  /**
   * Commits the pending files `state` names and deletes every other uncommitted file of this
   * subtask (in-progress files of earlier attempts, pending files of checkpoints that never completed).
   */
  async restoreState(state: unknown): Promise<void> {
    const restored = (state as TransactionalSinkState | undefined)?.pending ?? [];
    await this.enqueue(async () => {
      for (const checkpointId of restored) await this.commit(checkpointId);
      const mine = new RegExp(`^\\.part-${this.context.subtaskIndex}[-.].*\\.(inprogress|pending)$`);
      for (const name of await readdir(this.path))
        if (mine.test(name)) await rm(join(this.path, name), { force: true });
    });
  }

  async emit(records: unknown[]): Promise<void> {
    this.checkUsable();
    let text = '';
    for (const record of records) text += `${formatRecord(record)}\n`;
    this.buffered.push(text);
    this.bufferedLength += text.length;
    // A full buffer goes to the in-progress file now; waiting for it keeps the task at the disk's pace.
    if (this.bufferedLength >= this.bufferSize) {
      const chunk = this.takeBuffered();
      await this.enqueue(() => this.append(chunk));
    }
  }

  /** Phase one: what was written so far becomes the pending file of `checkpointId`. */
  async snapshotState(checkpointId: number): Promise<TransactionalSinkState> {
    this.checkUsable();
    const text = this.takeBuffered();
    await this.enqueue(async () => {
      if (!(await this.closeInProgress(text))) return;
      await rename(this.inProgressFile, this.pendingFileOf(checkpointId));
      this.pending.push(checkpointId);
    });
    return { pending: [...this.pending] };
  }

  /** Phase two: commits the pending files of `checkpointId` and of every checkpoint before it. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.enqueue(async () => {
      for (const id of this.pending.filter((pending) => pending <= checkpointId)) await this.commit(id);
      this.pending = this.pending.filter((pending) => pending > checkpointId);
    }).catch((error: unknown) => (this.failure ??= error));
  }

  /** The input ended (a bounded source): what is left is committed under the name `part-<i>-end`. */
  async finish(): Promise<void> {
    this.checkUsable();
    const text = this.takeBuffered();
    await this.enqueue(async () => {
      for (const id of this.pending) await this.commit(id);
      this.pending = [];
      if (!(await this.closeInProgress(text))) return;
      await rename(this.inProgressFile, join(this.path, `part-${this.context.subtaskIndex}-end`));
    });
    this.state = 'finished';
  }

  /** Drops what was not snapshotted; pending files stay for the restored attempt to commit or delete. */
  async abort(): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'aborted';
    this.takeBuffered();
    await this.work.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.inProgressFile, { force: true });
  }

  private takeBuffered(): string {
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedLength = 0;
    return text;
  }

  /** Appends `text` to the in-progress file, opening it when this is the first text since the last barrier. */
  private async append(text: string): Promise<void> {
    this.handle ??= await open(this.inProgressFile, 'w');
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, null);
      offset += bytesWritten;
    }
  }

  /**
   * Appends the last `text`, syncs and closes the in-progress file; false when there was nothing
   * since the last barrier (no file).
   */
  private async closeInProgress(text: string): Promise<boolean> {
    if (text.length > 0) await this.append(text);
    const handle = this.handle;
    if (!handle) return false;
    this.handle = undefined;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  }

  private async commit(checkpointId: number): Promise<void> {
    const pendingFile = this.pendingFileOf(checkpointId);
    if (await exists(pendingFile)) await rename(pendingFile, this.partFileOf(checkpointId));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.work.then(step);
    this.work = next.catch(() => undefined);
    return next;
  }

  private checkUsable(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new FailedPreconditionError(`the text file sink for ${this.path} is not open`);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
