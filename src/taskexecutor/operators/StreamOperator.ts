/**
 * The contract of the operators chained inside a task: a batch in, a batch out, synchronously. An
 * operator of a chain never waits for anything but its user function, so the chain calls them in a
 * plain loop and only awaits the output at its end.
 */

/** One operator of an {@link OperatorChain}, ready to run (its user functions loaded). */
export interface StreamOperator {
  /** The operator's name in the job graph, such as `Map` or `Keyed Aggregation`. */
  readonly name: string;
  /**
   * The records this operator emits for `records`, in order; may be empty. It may return `records`
   * itself when it keeps them all. Errors thrown by user functions propagate unchanged.
   */
  processBatch(records: unknown[]): unknown[];
  /**
   * Called once at the end of input (Flink's `BoundedOneInput.endInput`); returns any records the
   * operator held back. The streaming operators emit as they go and have none.
   */
  endInput?(): unknown[];
  /** The operator's state for a checkpoint (data a structured clone can copy); stateless operators have none. */
  snapshotState?(): unknown;
  /** Takes back the state {@link snapshotState} returned, before the first batch of a restored task. */
  restoreState?(state: unknown): void;
}
