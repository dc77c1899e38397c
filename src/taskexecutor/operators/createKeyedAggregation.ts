/**
 * Builds the operator of a keyed reduce, sum or count. A chain builds it for its keyed vertex, and
 * a producer's pre-aggregation builds the same operator in BATCH mode to fold its records before
 * the exchange, so both sides aggregate with exactly the same code.
 */
import type { KeyedAggregationSpec } from '../../jobgraph/keyedAggregation.js';
import { CountOperator } from './CountOperator.js';
import type { FunctionLoader, UserFunction } from './FunctionLoader.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import { ReduceOperator } from './ReduceOperator.js';
import { SumOperator } from './SumOperator.js';

/** A keyed aggregation operator: it also says how many keys it holds and hands over what it folded as partials. */
export type KeyedAggregationOperator = ReduceOperator | SumOperator | CountOperator;

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
  switch (spec.kind) {
    case 'reduce':
      return new ReduceOperator(spec.name, keySelector, await loader(spec.fn), mode);
    case 'sum':
      return new SumOperator(spec.name, keySelector, spec.field, mode);
    case 'count':
      return new CountOperator(spec.name, keySelector, mode);
  }
}
