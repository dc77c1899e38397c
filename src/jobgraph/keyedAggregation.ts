/**
 * The keyed aggregations (`KeyedStream.reduce`, `sum`, `count`): the operators that hold state per
 * key, read through a hash edge, and whose producers may pre-aggregate for them in BATCH mode.
 */
import type { OperatorSpec } from './jobGraph.js';

/** The spec of a keyed reduce, sum or count. */
export type KeyedAggregationSpec = Extract<OperatorSpec, { kind: 'reduce' | 'sum' | 'count' }>;

/** Whether `spec` is a keyed reduce, sum or count. */
export function isKeyedAggregation(spec: OperatorSpec | undefined): spec is KeyedAggregationSpec {
  return spec?.kind === 'reduce' || spec?.kind === 'sum' || spec?.kind === 'count';
}
