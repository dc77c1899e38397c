/**
 * How a keyed aggregation (reduce, sum, count) runs, from the job's runtime mode and its input edge:
 *
 * - in STREAMING mode it emits the key's new running value for every record (Flink's streaming
 *   semantics: the last value emitted for a key is its total);
 * - in BATCH mode it folds silently and emits one final value per key when its input ends
 *   (Flink's batch semantics), in the order the keys first arrived;
 * - `preAggregated` says its input holds partials that producers folded per key before the
 *   exchange, rather than records.
 *
 * A partial travels as `[key, value]`: the key the producer computed for it, so neither the
 * routing nor the consumer applies the key selector to a folded value (a reduce function need not
 * keep the key's field in its result), and the value folded so far (a reduce's accumulator, a
 * sum's record with its partial sum, a count's number). The producers' pre-aggregation is the
 * same operator in BATCH mode, fed with records; {@link KeyedAggregationOperator.drainPartials}
 * hands over what it folded (see PreAggregatingPartitioner).
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { ResolvedRuntimeMode } from '../../jobgraph/RuntimeExecutionMode.js';

/** The runtime mode and input of a keyed aggregation. */
export interface KeyedAggregationMode {
  runtimeMode: ResolvedRuntimeMode;
  preAggregated: boolean;
}

/** Streaming, on records: what every keyed aggregation did before runtime modes existed. */
export const STREAMING_AGGREGATION: KeyedAggregationMode = Object.freeze({
  runtimeMode: 'STREAMING',
  preAggregated: false,
});

/** A key's value folded by one producer, with its key. */
export type KeyedPartial = [key: unknown, value: unknown];

/**
 * `record` as a partial. @throws InvalidArgumentError naming the operator when it is not one,
 * which only a graph whose edge and operators disagree could cause.
 */
export function partialOf(record: unknown, operatorName: string): KeyedPartial {
  if (!Array.isArray(record) || record.length !== 2) {
    throw new InvalidArgumentError(
      `"${operatorName}" expects partials [key, value] from its pre-aggregating producers`,
    );
  }
  return record as KeyedPartial;
}
