/**
 * The reading end of one subpartition (Flink's `ResultSubpartitionView` with the credit of its
 * reader). Exactly one reader per subpartition ever exists. It holds the credit its consumer
 * granted: a batch leaves the subpartition only against a credit, while the end of the partition
 * needs none, so a consumer that has not recycled its batches still learns at once that the
 * producer finished.
 */
import type { NetworkBatch } from './NetworkBatch.js';

/** What {@link ResultSubpartitionView.next} yields: a batch, or `'end'` once the producer finished and everything was read. */
export type SubpartitionReadResult = NetworkBatch | 'end';

/** The single reader of one subpartition. */
export interface ResultSubpartitionView {
  /** The partition read. */
  readonly partitionId: string;
  /** The subpartition read. */
  readonly subpartitionIndex: number;
  /** Lets `credit` more batches leave the subpartition (a new view has none). */
  addCredit(credit: number): void;
  /**
   * The next batch, using one credit, and waiting while there is no credit or no batch; `'end'`
   * once the producer finished and every batch was read (on every later call too; needs no credit).
   * Rejects with a `PartitionReleasedError` once the partition or this view was released. One call
   * at a time.
   */
  next(): Promise<SubpartitionReadResult>;
  /**
   * Gives up reading (the consumer was cancelled or disconnected): drops what is queued, lets the
   * producer's pending and later emits to this subpartition complete without effect, and rejects a
   * pending {@link next}. Does nothing once `'end'` was read.
   */
  release(): void;
}
