/**
 * How a keyed aggregation (reduce, sum, count) runs, from the job's runtime mode and its input edge:
 *
 * - in STREAMING mode it emits the key's new running value for every record (Flink's streaming
 *   semantics: the last value emitted for a key is its total);
 * - in BATCH mode it folds silently and emits one final value per key when its input ends
 *   (Flink's batch semantics), in the order the keys first arrived;
 * - `preAggregated` says its input holds partial aggregates that producers folded per key before
 *   the exchange, rather than records; only count must know, since its partials are `[key, n]`.
 *
 * The producers' pre-aggregation is the same operator in BATCH mode, fed with records, whose final
 * values are the partials it sends (see PreAggregatingPartitioner).
 */
import type { ResolvedRuntimeMode } from '../../jobgraph/RuntimeExecutionMode.js';

/** The runtime mode and input of a keyed aggregation. */
export interface KeyedAggregationMode {
  runtimeMode: ResolvedRuntimeMode;
  preAggregated: boolean;
}

/** Streaming, on records: what every keyed aggregation did before runtime modes existed. */
export const STREAMING_AGGREGATION: KeyedAggregationMode = Object.freeze({ runtimeMode: 'STREAMING', preAggregated: false });
