/**
 * The operator of the keyed aggregations, `KeyedStream.reduce()`, `sum(field)` and `count()`
 * (Flink's `StreamGroupedReduceOperator`, which runs its `reduce` and its aggregations alike): one
 * accumulator per key, folded by a {@link KeyedAccumulator} of the aggregation's kind. With
 * streaming semantics it emits the key's new result for every record, so the last one emitted for a
 * key is its total; in BATCH mode it emits only that last result per key, when its input ends. A
 * pre-aggregated input brings partials `[key, value]` of producers that folded first with the same
 * operator, and {@link drainPartials} is how such a producer hands them over.
 */
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { KeyedAccumulator } from './KeyedAccumulator.js';
import {
  partialOf,
  STREAMING_AGGREGATION,
  type KeyedAggregationMode,
  type KeyedPartial,
} from './KeyedAggregationMode.js';
import { KeyedState } from './KeyedState.js';
import type { StreamOperator } from './StreamOperator.js';

const NOTHING: unknown[] = [];

/** Aggregates the records of each key with the accumulator of a reduce, a sum or a count. */
export class KeyedAggregationOperator<A = unknown> implements StreamOperator {
  private readonly state = new KeyedState<{ key: unknown; accumulator: A }>();
  private readonly batch: boolean;
  private readonly preAggregated: boolean;
  /** Names the key selector in errors; made once, not per record. */
  private readonly keySelectorWhat: string;

  /**
   * @param keySelector The loaded key selector of the hash edge that feeds this operator.
   * @param accumulator How this kind of aggregation folds a key's inputs.
   */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
    private readonly accumulator: KeyedAccumulator<A>,
    mode: KeyedAggregationMode = STREAMING_AGGREGATION,
  ) {
    this.batch = mode.runtimeMode === 'BATCH';
    this.preAggregated = mode.preAggregated;
    this.keySelectorWhat = `the key selector of "${name}"`;
  }

  /** How many keys hold a value. */
  get keyCount(): number {
    return this.state.size;
  }

  /**
   * Folds each record (or partial) into its key's accumulator. Returns the key's new result for
   * every record in STREAMING mode, nothing in BATCH mode.
   */
  processBatch(records: unknown[]): unknown[] {
    const accumulator = this.accumulator;
    const out = this.batch ? NOTHING : new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      let key: unknown;
      let value: unknown;
      if (this.preAggregated) {
        [key, value] = partialOf(records[i], this.name);
      } else {
        value = records[i];
        key = checkSynchronous(this.keySelector(value), this.keySelectorWhat);
      }
      const input = accumulator.input(value, this.preAggregated);
      let entry = this.state.get(key);
      if (entry === undefined) {
        entry = { key, accumulator: accumulator.create(input) };
        this.state.set(key, entry);
      } else {
        entry.accumulator = accumulator.add(entry.accumulator, input);
      }
      if (!this.batch) out[i] = accumulator.result(entry.key, entry.accumulator);
    }
    return out;
  }

  /** In BATCH mode, each key's final result, and the state is cleared; nothing in STREAMING mode. */
  endInput(): unknown[] {
    if (!this.batch) return NOTHING;
    const out: unknown[] = [];
    for (const entry of this.state.values()) out.push(this.accumulator.result(entry.key, entry.accumulator));
    this.state.clear();
    return out;
  }

  /** Every key with its accumulator, for a checkpoint. */
  snapshotState(): Array<{ key: unknown; accumulator: A }> {
    return [...this.state.values()];
  }

  /** Takes back the keys and accumulators of {@link snapshotState}. */
  restoreState(state: unknown): void {
    for (const entry of state as Array<{ key: unknown; accumulator: A }>) this.state.set(entry.key, entry);
  }

  /** Each key's accumulator so far as a partial `[key, value]`, and the state is cleared. */
  drainPartials(): KeyedPartial[] {
    const out: KeyedPartial[] = [];
    for (const entry of this.state.values()) out.push([entry.key, this.accumulator.partial(entry.accumulator)]);
    this.state.clear();
    return out;
  }
}
