/**
 * The output of one producer attempt for one consumer vertex (Flink's `ResultPartition`): one
 * subpartition per consumer subtask. It lives in the task executor's main thread; the producing
 * worker hands it serialized batches and the consumers read them through the partition manager.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { PartitionReleasedError } from './errors.js';
import type { NetworkBatch } from './NetworkBatch.js';
import { DEFAULT_SUBPARTITION_CAPACITY, ResultSubpartition } from './ResultSubpartition.js';
import type { ResultSubpartitionView } from './ResultSubpartitionView.js';

/** Options of a {@link ResultPartition}. */
export interface ResultPartitionOptions {
  /**
   * How many batches each subpartition queues before `emit` waits; defaults to
   * {@link DEFAULT_SUBPARTITION_CAPACITY}. Memory per subpartition is bounded by this times the
   * batch size on the producer side, plus the consumer's credit on the consumer side.
   */
  subpartitionCapacity?: number;
  /**
   * Called once when the partition is no longer needed: every subpartition was read to its end (or
   * given up by its reader), or the partition was released. The reason says which.
   */
  onDisposed?: (reason: string) => void;
}

/** One producer attempt's output for one consumer vertex. */
export class ResultPartition {
  private readonly subpartitions: ResultSubpartition[];
  private releasedReason: string | undefined;
  private disposed = false;

  /** Creates a partition with `numberOfSubpartitions` subpartitions (one per consumer subtask). */
  constructor(
    readonly partitionId: string,
    readonly numberOfSubpartitions: number,
    private readonly options: ResultPartitionOptions = {},
  ) {
    if (!Number.isSafeInteger(numberOfSubpartitions) || numberOfSubpartitions < 1) {
      throw new InvalidArgumentError(
        `result partition ${partitionId} needs at least one subpartition, got ${numberOfSubpartitions}`,
      );
    }
    const capacity = options.subpartitionCapacity ?? DEFAULT_SUBPARTITION_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError(`subpartitionCapacity must be a positive integer, got ${capacity}`);
    }
    this.subpartitions = Array.from(
      { length: numberOfSubpartitions },
      (_, index) => new ResultSubpartition(partitionId, index, capacity, () => this.onSubpartitionDone()),
    );
  }

  /** Whether {@link release} was called. */
  get isReleased(): boolean {
    return this.releasedReason !== undefined;
  }

  /**
   * Queues `batch` for consumer subtask `subpartitionIndex`. Resolves at once while the
   * subpartition's queue is below capacity, otherwise once its reader took a batch (back pressure:
   * the producer awaits each emit). Rejects with a {@link PartitionReleasedError} once the partition
   * is released. A batch for a subpartition whose reader gave up is dropped.
   */
  emit(subpartitionIndex: number, batch: NetworkBatch): Promise<void> {
    const subpartition = this.subpartitions[subpartitionIndex];
    if (!subpartition) return Promise.reject(this.outOfRange(subpartitionIndex));
    return subpartition.add(batch);
  }

  /** Ends every subpartition: each reader gets `'end'` after its queued batches. Call after the last emit. */
  finish(): void {
    for (const subpartition of this.subpartitions) subpartition.finish();
  }

  /**
   * Drops all queued data and fails pending emits and reads with a {@link PartitionReleasedError}
   * carrying `reason` (the producing attempt was cancelled or failed). Idempotent.
   */
  release(reason: string): void {
    if (this.releasedReason !== undefined) return;
    this.releasedReason = reason;
    const error = new PartitionReleasedError(this.partitionId, reason);
    for (const subpartition of this.subpartitions) subpartition.release(error);
    this.dispose(reason);
  }

  /**
   * Creates the one reader of subpartition `subpartitionIndex`. Throws an `InvalidArgumentError`
   * for an index out of range, a `FailedPreconditionError` when the subpartition already has a
   * reader and a {@link PartitionReleasedError} when the partition was released.
   *
   * @param consumer who reads, for the error a second reader gets (a consumer execution attempt id).
   */
  createReader(subpartitionIndex: number, consumer = 'another consumer'): ResultSubpartitionView {
    const subpartition = this.subpartitions[subpartitionIndex];
    if (!subpartition) throw this.outOfRange(subpartitionIndex);
    if (this.releasedReason !== undefined) throw new PartitionReleasedError(this.partitionId, this.releasedReason);
    return subpartition.createReader(consumer);
  }

  private onSubpartitionDone(): void {
    if (this.subpartitions.every((subpartition) => subpartition.isDone)) {
      this.dispose('every subpartition was consumed; a pipelined partition is read once');
    }
  }

  private dispose(reason: string): void {
    if (this.disposed) return;
    this.disposed = true;
    this.options.onDisposed?.(reason);
  }

  private outOfRange(subpartitionIndex: number): InvalidArgumentError {
    return new InvalidArgumentError(
      `subpartition ${subpartitionIndex} does not exist in result partition ${this.partitionId}, ` +
        `which has ${this.numberOfSubpartitions} (indexes 0 to ${this.numberOfSubpartitions - 1})`,
    );
  }
}
