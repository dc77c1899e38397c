/**
 * The sink of `DataStream.writeAsText(path)`: one file per subtask, `path/part-<subtaskIndex>`,
 * one line per record. A part file appears only complete: the attempt writes a hidden in-progress
 * file and renames it when its input ends, so readers never see half a result and a failed or
 * cancelled attempt leaves nothing behind for its restart to trip over.
 */
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyExistsError, FailedPreconditionError } from '../../common/errors.js';
import { formatRecord } from './formatRecord.js';
import type { SinkWriter } from './SinkWriter.js';
import type { TaskContext } from './TaskContext.js';

/** Characters buffered before a write unless told otherwise (about 1 MiB). */
export const DEFAULT_WRITE_BUFFER_SIZE = 1024 * 1024;

/** Writes a subtask's records to its part file, atomically. */
export class TextFileSinkWriter implements SinkWriter {
  /** The final file: `path/part-<subtaskIndex>`. */
  readonly partFile: string;
  /** Where this attempt writes until it finishes: `path/.part-<i>.attempt-<n>.inprogress`. */
  readonly inProgressFile: string;
  /** Left by a job that committed this part without overwrite, so its own restarts may replace it. */
  private readonly committedMarker: string;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  private pendingLength = 0;
  private state: 'created' | 'open' | 'finished' | 'aborted' = 'created';

  /**
   * @param path The output folder; created when missing.
   * @param overwrite Whether an existing part file may be replaced.
   * @param bufferSize The characters buffered before they are written.
   */
  constructor(
    private readonly path: string,
    private readonly overwrite: boolean,
    private readonly context: TaskContext,
    private readonly bufferSize = DEFAULT_WRITE_BUFFER_SIZE,
  ) {
    const { subtaskIndex, attemptNumber, jobId } = context;
    this.partFile = join(path, `part-${subtaskIndex}`);
    this.inProgressFile = join(path, `.part-${subtaskIndex}.attempt-${attemptNumber}.inprogress`);
    this.committedMarker = join(path, `.part-${subtaskIndex}.committed-by-${encodeURIComponent(jobId)}`);
  }

  /**
   * Creates the folder, checks that the part file may be written, removes in-progress files that
   * earlier attempts of this subtask left (a killed process cannot clean up), and opens the
   * in-progress file.
   *
   * @throws AlreadyExistsError when `overwrite` is false and the part file exists, unless an
   *   earlier attempt of this same job wrote it (a restart must be able to write it again).
   */
  async open(): Promise<void> {
    if (this.state !== 'created')
      throw new FailedPreconditionError(`the text file sink for ${this.partFile} was opened already`);
    await mkdir(this.path, { recursive: true });
    if (!this.overwrite && (await exists(this.partFile)) && !(await exists(this.committedMarker))) {
      throw new AlreadyExistsError(
        `the text file sink cannot write ${this.partFile}: the file already exists; remove it or write with overwrite enabled`,
      );
    }
    await this.removeEarlierAttempts();
    this.handle = await open(this.inProgressFile, 'w');
    this.state = 'open';
  }

  /** Buffers `formatRecord(record) + '\n'` for every record; writes once the buffer is full. */
  async emit(records: unknown[]): Promise<void> {
    if (this.state !== 'open') throw new FailedPreconditionError(`the text file sink for ${this.partFile} is not open`);
    let text = '';
    for (const record of records) text += `${formatRecord(record)}\n`;
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= this.bufferSize) await this.flush();
  }

  /** Writes what is buffered, syncs the file to disk and renames it to the part file. */
  async finish(): Promise<void> {
    if (this.state !== 'open') throw new FailedPreconditionError(`the text file sink for ${this.partFile} is not open`);
    await this.flush();
    const handle = this.handle as FileHandle;
    await handle.sync();
    this.handle = undefined;
    await handle.close();
    if (!this.overwrite) await writeFile(this.committedMarker, '');
    await rename(this.inProgressFile, this.partFile);
    await syncFolder(this.path);
    this.state = 'finished';
  }

  /** Closes and deletes the in-progress file; a part file committed by `finish()` stays. */
  async abort(): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'aborted';
    this.pending = [];
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.inProgressFile, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pendingLength === 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    const handle = this.handle as FileHandle;
    for (let offset = 0; offset < bytes.length;) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
      offset += bytesWritten;
    }
  }

  private async removeEarlierAttempts(): Promise<void> {
    const pattern = new RegExp(`^\\.part-${this.context.subtaskIndex}\\.attempt-(\\d+)\\.inprogress$`);
    for (const name of await readdir(this.path)) {
      const match = pattern.exec(name);
      if (match && Number(match[1]) < this.context.attemptNumber) await rm(join(this.path, name), { force: true });
    }
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

/** Makes a rename durable; not every platform can sync a folder, and there it is skipped. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Best effort: the rename itself is atomic either way.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
