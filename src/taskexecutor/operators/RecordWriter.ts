/**
 * Where a chain's records go when its last operator is not a sink: the network output of the
 * task (Flink's `RecordWriter`), which partitions them and sends them to the consumer subtasks.
 * The data-exchange code implements it; the operators only need this much.
 */

/** Takes a chain's output batches and passes them on. */
export interface RecordWriter {
  /**
   * Takes one non-empty batch. The chain awaits the returned promise before it takes its next
   * batch, so a writer that waits for credit slows its producer down (back pressure).
   * The writer may keep the array; the chain does not touch it again.
   */
  emit(records: unknown[]): Promise<void>;
  /** Called once after the last batch: flush, then tell the consumers this input has ended. */
  finish(): Promise<void>;
}
