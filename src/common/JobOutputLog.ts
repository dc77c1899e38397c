/**
 * What a job's tasks wrote to stdout and stderr (above all a driver's console), kept by the
 * Dispatcher (and the simulated deployment target's job manager) so that `flotilla logs --follow` and the control plane can read it from a byte offset
 * and resume exactly. Bounded per job: past the limit the oldest pieces drop out, and an offset
 * older than what is kept is OUT_OF_RANGE naming the oldest kept offset.
 */
import { throwIfAborted } from 'abort-controller-x';
import { OutOfRangeError } from './errors.js';
import { ChangeNotifier } from './ChangeNotifier.js';

/** Which stream a piece of output was written to. */
export type OutputStream = 'stdout' | 'stderr' | 'logger';

/** A piece of a job's output. */
export interface OutputChunk {
  /** The byte offset of `data` in the job's output. */
  offset: number;
  /** Whole lines of UTF-8 text. */
  data: Buffer;
  stream: OutputStream;
  /** The offset to resume from to read what follows `data`. */
  nextOffset: number;
}

/** The output of one job. */
export class JobOutputLog {
  private readonly chunks: OutputChunk[] = [];
  private keptBytes = 0;
  private endOffset = 0;
  private closed = false;
  private readonly changed = new ChangeNotifier();

  /**
   * Keeps at most `maxBytes` of the newest output (and always the newest piece whole, so a piece
   * larger than the limit is not lost); `jobId` names the job in errors.
   */
  constructor(
    private readonly jobId: string,
    private readonly maxBytes: number,
  ) {}

  /** The offset of the oldest byte still kept. */
  get oldestOffset(): number {
    return this.chunks[0]?.offset ?? this.endOffset;
  }

  /** The offset just past the newest byte. */
  get nextOffset(): number {
    return this.endOffset;
  }

  /** How many readers wait for new output now. */
  get waitingReaders(): number {
    return this.changed.waiting;
  }

  /** Appends a piece of output. */
  append(stream: OutputStream, data: Uint8Array): void {
    if (data.byteLength === 0) return;
    const copy = Buffer.from(data);
    this.chunks.push({ offset: this.endOffset, data: copy, stream, nextOffset: this.endOffset + copy.byteLength });
    this.endOffset += copy.byteLength;
    this.keptBytes += copy.byteLength;
    while (this.keptBytes > this.maxBytes && this.chunks.length > 1)
      this.keptBytes -= this.chunks.shift()!.data.byteLength;
    this.changed.notify();
  }

  /** Marks the output complete (the job ended): following readers stop once they have read everything. */
  close(): void {
    this.closed = true;
    this.changed.notify();
  }

  /**
   * Yields the output from `offset` on (from inside a piece when the offset points there), then,
   * when following, new pieces until the job has ended and everything was read.
   */
  async *read(offset: number, follow: boolean, signal?: AbortSignal): AsyncGenerator<OutputChunk, void, undefined> {
    if (offset > this.endOffset) {
      throw new OutOfRangeError(
        `offset ${offset} is past the end of the output of job ${this.jobId} (${this.endOffset} bytes so far)`,
      );
    }
    let cursor = offset;
    for (;;) {
      if (signal) throwIfAborted(signal);
      while (cursor < this.endOffset) {
        const chunk = this.chunkAt(cursor);
        yield {
          offset: cursor,
          data: chunk.data.subarray(cursor - chunk.offset),
          stream: chunk.stream,
          nextOffset: chunk.nextOffset,
        };
        cursor = chunk.nextOffset;
      }
      if (!follow || this.closed) return;
      await this.changed.wait(signal);
    }
  }

  /** The kept piece that holds byte `offset`; OUT_OF_RANGE when it dropped out. */
  private chunkAt(offset: number): OutputChunk {
    if (offset < this.oldestOffset) {
      throw new OutOfRangeError(
        `offset ${offset} of the output of job ${this.jobId} is no longer kept (the job manager keeps the newest ${this.maxBytes} bytes per job); ` +
          `the oldest kept offset is ${this.oldestOffset}`,
      );
    }
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.chunks[middle].offset <= offset) low = middle;
      else high = middle - 1;
    }
    return this.chunks[low];
  }
}
