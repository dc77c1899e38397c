/**
 * One subpartition of a result partition: the bounded queue between one producer attempt and one
 * consumer subtask (Flink's `PipelinedSubpartition`). The producer's emit waits while the queue is
 * at capacity, and a batch leaves the queue only against a credit of the reader, so a slow consumer
 * holds at most `credit` batches and slows the producer down to its pace (back pressure).
 */
import { FailedPreconditionError } from '../../common/errors.js';
import { PartitionReleasedError } from './errors.js';
import type { NetworkBatch } from './NetworkBatch.js';
import type { ResultSubpartitionView, SubpartitionReadResult } from './ResultSubpartitionView.js';

/** How many batches a subpartition queues before the producer's emit waits, unless configured. */
export const DEFAULT_SUBPARTITION_CAPACITY = 4;

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

/** The queue of one subpartition and the credit of its single reader. */
export class ResultSubpartition {
  private readonly queue: NetworkBatch[] = [];
  private readonly spaceWaiters: Waiter<void>[] = [];
  private dataWaiter: Waiter<SubpartitionReadResult> | undefined;
  private credit = 0;
  private finished = false;
  private released: PartitionReleasedError | undefined;
  private reader: string | undefined;
  private readerReleased = false;
  private consumed = false;

  /**
   * @param onDone called once when this subpartition needs nothing more: its reader read the end,
   *   or its reader released it.
   */
  constructor(
    readonly partitionId: string,
    readonly index: number,
    private readonly capacity: number,
    private readonly onDone: () => void,
  ) {}

  /** Whether the reader is done with this subpartition (read the end or released it). */
  get isDone(): boolean {
    return this.consumed || this.readerReleased;
  }

  /** Queues a batch; resolves when the queue is below capacity again (see `ResultPartition.emit`). */
  add(batch: NetworkBatch): Promise<void> {
    if (this.released) return Promise.reject(this.released);
    if (this.finished) {
      return Promise.reject(
        new FailedPreconditionError(
          `cannot emit to subpartition ${this.index} of result partition ${this.partitionId} after finish()`,
        ),
      );
    }
    if (this.readerReleased) return Promise.resolve();
    this.queue.push(batch);
    this.serveReader();
    if (this.queue.length < this.capacity) return Promise.resolve();
    return new Promise((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
  }

  /** Marks the end of the data: the reader gets `'end'` after the queued batches. */
  finish(): void {
    if (this.finished || this.released) return;
    this.finished = true;
    this.serveReader();
  }

  /** Drops the queue and fails pending and later emits and reads with `error`. */
  release(error: PartitionReleasedError): void {
    if (this.released) return;
    this.released = error;
    this.queue.length = 0;
    for (const waiter of this.spaceWaiters.splice(0)) waiter.reject(error);
    this.takeDataWaiter()?.reject(error);
  }

  /** Creates the one reader of this subpartition, with no credit yet; throws if it already has one. */
  createReader(consumer: string): ResultSubpartitionView {
    if (this.reader !== undefined) {
      throw new FailedPreconditionError(
        `subpartition ${this.index} of result partition ${this.partitionId} is already read by ${this.reader}; ` +
          `a subpartition is consumed once, so ${consumer} cannot read it again`,
      );
    }
    this.reader = consumer;
    return {
      partitionId: this.partitionId,
      subpartitionIndex: this.index,
      addCredit: (credit) => this.addCredit(credit),
      next: () => this.poll(),
      release: () => this.releaseReader(),
    };
  }

  private addCredit(credit: number): void {
    if (!Number.isSafeInteger(credit) || credit < 0)
      throw new RangeError(`credit must be a non-negative integer, got ${credit}`);
    this.credit += credit;
    this.serveReader();
  }

  private poll(): Promise<SubpartitionReadResult> {
    if (this.released) return Promise.reject(this.released);
    if (this.readerReleased) return Promise.reject(this.readerReleasedError());
    if (this.dataWaiter)
      return Promise.reject(new Error('ResultSubpartitionView.next() called while another next() is waiting'));
    const ready = this.readyResult();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.dataWaiter = { resolve, reject };
    });
  }

  /** What the reader may have now: a batch against a credit, or the end once the queue is empty. */
  private readyResult(): SubpartitionReadResult | undefined {
    if (this.queue.length > 0) {
      if (this.credit === 0) return undefined;
      this.credit -= 1;
      const batch = this.queue.shift()!;
      if (this.queue.length < this.capacity) for (const waiter of this.spaceWaiters.splice(0)) waiter.resolve();
      return batch;
    }
    if (!this.finished) return undefined;
    if (!this.consumed) {
      this.consumed = true;
      this.onDone();
    }
    return 'end';
  }

  private serveReader(): void {
    if (!this.dataWaiter) return;
    const ready = this.readyResult();
    if (ready) this.takeDataWaiter()!.resolve(ready);
  }

  private releaseReader(): void {
    if (this.consumed || this.readerReleased) return;
    this.readerReleased = true;
    this.queue.length = 0;
    for (const waiter of this.spaceWaiters.splice(0)) waiter.resolve();
    this.takeDataWaiter()?.reject(this.readerReleasedError());
    this.onDone();
  }

  private takeDataWaiter(): Waiter<SubpartitionReadResult> | undefined {
    const waiter = this.dataWaiter;
    this.dataWaiter = undefined;
    return waiter;
  }

  private readerReleasedError(): PartitionReleasedError {
    return new PartitionReleasedError(this.partitionId, `its reader released subpartition ${this.index}`);
  }
}
