/**
 * The operator of `KeyedStream.reduce()` (Flink's `StreamGroupedReduceOperator` and, in BATCH mode,
 * `BatchGroupedReduceOperator`): it keeps one accumulated value per key. With streaming semantics
 * it emits the key's new value for every record, so the last value emitted for a key is the
 * reduction of all its records; in BATCH mode it emits only that last value, when its input ends.
 * A pre-aggregated input brings each producer's accumulator, reduced like a record.
 */
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import {
  partialOf,
  STREAMING_AGGREGATION,
  type KeyedAggregationMode,
  type KeyedPartial,
} from './KeyedAggregationMode.js';
import { KeyedState } from './KeyedState.js';
import type { StreamOperator } from './StreamOperator.js';

const NOTHING: unknown[] = [];

/** Reduces the records of each key with the user's function. */
export class ReduceOperator implements StreamOperator {
  private readonly state = new KeyedState<{ key: unknown; value: unknown }>();
  private readonly batch: boolean;
  private readonly preAggregated: boolean;
  /** Names the key selector in errors; made once, not per record. */
  private readonly keySelectorWhat: string;
  private readonly reduceWhat: string;

  /**
   * @param keySelector The loaded key selector of the hash edge that feeds this operator.
   * @param fn The loaded reduce function `(accumulated, record) => accumulated`.
   */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
    private readonly fn: UserFunction,
    mode: KeyedAggregationMode = STREAMING_AGGREGATION,
  ) {
    this.batch = mode.runtimeMode === 'BATCH';
    this.preAggregated = mode.preAggregated;
    this.keySelectorWhat = `the key selector of "${name}"`;
    this.reduceWhat = `the reduce function of "${name}"`;
  }

  /** How many keys hold a value. */
  get keyCount(): number {
    return this.state.size;
  }

  /**
   * Folds each record (or partial) into its key's value: the first value of a key as it is,
   * `fn(accumulated, value)` after that. Returns every new value in STREAMING mode, none in BATCH.
   */
  processBatch(records: unknown[]): unknown[] {
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
      let entry = this.state.get(key);
      if (entry === undefined) {
        entry = { key, value };
        this.state.set(key, entry);
      } else {
        entry.value = checkSynchronous(this.fn(entry.value, value), this.reduceWhat);
      }
      if (!this.batch) out[i] = entry.value;
    }
    return out;
  }

  /** In BATCH mode, each key's final value, and the state is cleared; nothing in STREAMING mode. */
  endInput(): unknown[] {
    if (!this.batch) return NOTHING;
    const out: unknown[] = [];
    for (const entry of this.state.values()) out.push(entry.value);
    this.state.clear();
    return out;
  }

  /** Each key's value so far as a partial `[key, value]`, and the state is cleared. */
  drainPartials(): KeyedPartial[] {
    const out: KeyedPartial[] = [];
    for (const entry of this.state.values()) out.push([entry.key, entry.value]);
    this.state.clear();
    return out;
  }
}
