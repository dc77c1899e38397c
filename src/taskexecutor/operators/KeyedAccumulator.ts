/**
 * What differs between the keyed aggregations (reduce, sum, count): how a key's value starts, how
 * an input folds into it, and what is emitted for it. The rest, state per key, STREAMING and BATCH
 * emission, partials in and out, is one {@link KeyedAggregationOperator} for all of them, as Flink
 * runs `reduce`, `sum` and the other aggregations through one grouped-reduce operator with an
 * aggregation function per kind.
 */

/**
 * How one kind of keyed aggregation folds its inputs into a per-key accumulator `A`. An input is a
 * record, or with a pre-aggregated input the value of a partial `[key, value]` that a producer's
 * own accumulator produced.
 */
export interface KeyedAccumulator<A> {
  /**
   * The input to fold for `value`, checked before the key's state is looked up.
   *
   * @param preAggregated Whether `value` is a partial's value rather than a record.
   */
  input(value: unknown, preAggregated: boolean): unknown;
  /** The accumulator of a key whose first input is `input`. */
  create(input: unknown): A;
  /** Folds `input` into `accumulator` and returns the key's new accumulator (it may be the same object). */
  add(accumulator: A, input: unknown): A;
  /** What the operator emits for `key`, whose value is `accumulator`. */
  result(key: unknown, accumulator: A): unknown;
  /** The value of the partial `[key, value]` that hands `accumulator` over to a consumer. */
  partial(accumulator: A): unknown;
}
