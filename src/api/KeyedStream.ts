/**
 * A stream partitioned by key (Flink's KeyedStream), made by `DataStream.keyBy()`. Its only
 * operations are keyed aggregations; each becomes an operator fed through a `hash` edge that
 * carries the key selector, so all records of one key meet in the same subtask. Following Flink's
 * streaming semantics every aggregation emits the key's new running value for each record.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { OperatorSpec } from '../jobgraph/jobGraph.js';
import { describeValue } from './argumentChecks.js';
import { DataStream } from './DataStream.js';
import type { FunctionOptions } from './FunctionOptions.js';
import type { StreamContext } from './StreamContext.js';
import type { PartitionTransformation } from './Transformation.js';

/** A stream of `T` partitioned by a key of type `K`. */
export class KeyedStream<T, K> {
  /** @internal Made by {@link DataStream.keyBy}. */
  constructor(
    private readonly context: StreamContext,
    readonly transformation: PartitionTransformation,
  ) {}

  /** Combines each record with its key's running value: `reduce((a, b) => ...)`; emits every new value. */
  reduce(fn: (accumulated: T, value: T) => T, options?: FunctionOptions): DataStream<T> {
    const spec = this.context.capture('KeyedStream.reduce()', fn, options);
    return this.aggregate('Keyed Reduce', { kind: 'reduce', name: 'Keyed Reduce', fn: spec });
  }

  /**
   * Sums one field per key and emits the running record: `field` is an index into tuple-like
   * arrays (`sum(1)`) or a property name (`sum('amount')`); other fields keep the values of the
   * key's first record, as in Flink.
   */
  sum(field: number | string): DataStream<T> {
    const isIndex = typeof field === 'number' && Number.isSafeInteger(field) && field >= 0;
    const isProperty = typeof field === 'string' && field !== '';
    if (!isIndex && !isProperty) {
      const got = typeof field === 'number' ? String(field) : describeValue(field);
      throw new InvalidArgumentError(
        `KeyedStream.sum() expects a field as a tuple index (an integer of at least 0) or a property name, got ${got}`,
      );
    }
    return this.aggregate('Keyed Aggregation', { kind: 'sum', name: 'Keyed Aggregation', field: String(field) });
  }

  /** Counts records per key and emits `[key, count]` for each record. */
  count(): DataStream<[K, number]> {
    return this.aggregate('Keyed Aggregation', { kind: 'count', name: 'Keyed Aggregation' });
  }

  private aggregate<R>(name: string, operator: OperatorSpec): DataStream<R> {
    return new DataStream<R>(this.context, {
      type: 'operator',
      id: this.context.nextTransformationId(),
      input: this.transformation,
      operator,
      name,
      nonParallel: false,
    });
  }
}
