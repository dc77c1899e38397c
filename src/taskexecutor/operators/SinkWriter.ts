/**
 * The contract of a chain's sink: a {@link RecordWriter} that also has to prepare its target before
 * the first record and to undo a failed attempt, so that a restarted job leaves the same traces as
 * an undisturbed one.
 */
import type { RecordWriter } from './RecordWriter.js';

/** The last operator of a chain that ends in a sink (print, collect, text file). */
export interface SinkWriter extends RecordWriter {
  /** Prepares the target (creates folders, checks for existing output); called once before any batch. */
  open(): Promise<void>;
  /**
   * Gives up this attempt: removes whatever it wrote that is not final. Safe to call at any point,
   * more than once, and after a failed `open()`; does nothing after a successful `finish()`.
   */
  abort(): Promise<void>;
  /**
   * Prepares the commit of what was written before the barrier of `checkpointId` and returns the
   * sink's state for the checkpoint (what it must still commit); sinks without a commit have none.
   */
  snapshotState?(checkpointId: number): Promise<unknown>;
  /** Takes back the state of a restored checkpoint: commits what it covered, drops what came after. */
  restoreState?(state: unknown): Promise<void>;
  /** Checkpoint `checkpointId` completed: commits what it covers (the second phase of the commit). */
  notifyCheckpointComplete?(checkpointId: number): Promise<void>;
}
