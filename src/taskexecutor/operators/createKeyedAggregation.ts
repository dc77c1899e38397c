/**
 * Builds the operator of a keyed reduce, sum or count: the one keyed-aggregation operator with the
 * accumulator of the spec's kind. A chain builds it for its keyed vertex, and a producer's
 * pre-aggregation builds the same operator in BATCH mode to fold its records before the exchange,
 * so both sides aggregate with exactly the same code.
 */
import type { KeyedAggregationSpec } from '../../jobgraph/keyedAggregation.js';
import { CountAccumulator } from './CountAccumulator.js';
import type { FunctionLoader, UserFunction } from './FunctionLoader.js';
import type { KeyedAccumulator } from './KeyedAccumulator.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import { KeyedAggregationOperator } from './KeyedAggregationOperator.js';
import { ReduceAccumulator } from './ReduceAccumulator.js';
import { SumAccumulator } from './SumAccumulator.js';

/**
 * The operator for `spec`, keyed by `keySelector`, its reduce function loaded with `loader`.
 *
 * @throws whatever `loader` rejects with when the reduce function cannot be loaded.
 */
export async function createKeyedAggregation(
  spec: KeyedAggregationSpec,
  keySelector: UserFunction,
  loader: FunctionLoader,
  mode: KeyedAggregationMode,
): Promise<KeyedAggregationOperator> {
  return new KeyedAggregationOperator(spec.name, keySelector, await accumulatorOf(spec, loader), mode);
}

async function accumulatorOf(spec: KeyedAggregationSpec, loader: FunctionLoader): Promise<KeyedAccumulator<unknown>> {
  switch (spec.kind) {
    case 'reduce':
      return new ReduceAccumulator(spec.name, await loader(spec.fn));
    case 'sum':
      return new SumAccumulator(spec.name, spec.field);
    case 'count':
      return new CountAccumulator(spec.name);
  }
}
