/**
 * The operator of `KeyedStream.count()`: a count per key, emitted as `[key, count]`. With streaming
 * semantics it emits the running count for every record, so the last pair emitted for a key holds
 * its total; in BATCH mode only that last pair, when its input ends. A pre-aggregated input brings
 * `[key, n]` partials of producers that counted first; their `n`s are added up.
 */
import { InvalidArgumentError } from '../../common/errors.js';
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

/** Counts the records of each key. */
export class CountOperator implements StreamOperator {
  private readonly state = new KeyedState<{ key: unknown; count: number }>();
  private readonly batch: boolean;
  private readonly preAggregated: boolean;
  /** Names the key selector in errors; made once, not per record. */
  private readonly keySelectorWhat: string;

  /** @param keySelector The loaded key selector of the hash edge that feeds this operator. */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
    mode: KeyedAggregationMode = STREAMING_AGGREGATION,
  ) {
    this.batch = mode.runtimeMode === 'BATCH';
    this.preAggregated = mode.preAggregated;
    this.keySelectorWhat = `the key selector of "${name}"`;
  }

  /** How many keys have a count. */
  get keyCount(): number {
    return this.state.size;
  }

  /**
   * Counts each record (or adds each partial's count) for its key; returns `[key, count so far]`
   * for every record in STREAMING mode, nothing in BATCH mode. The key is the one its first
   * record gave.
   */
  processBatch(records: unknown[]): unknown[] {
    const out = this.batch ? NOTHING : new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      let key: unknown;
      let count = 1;
      if (this.preAggregated) {
        let n: unknown;
        [key, n] = partialOf(records[i], this.name);
        if (typeof n !== 'number')
          throw new InvalidArgumentError(
            `"${this.name}" expects partial counts [key, n] from its pre-aggregating producers`,
          );
        count = n;
      } else {
        key = checkSynchronous(this.keySelector(records[i]), this.keySelectorWhat);
      }
      let entry = this.state.get(key);
      if (entry === undefined) {
        entry = { key, count: 0 };
        this.state.set(key, entry);
      }
      entry.count += count;
      if (!this.batch) out[i] = [entry.key, entry.count];
    }
    return out;
  }

  /** In BATCH mode, `[key, total]` for each key, and the state is cleared; nothing in STREAMING mode. */
  endInput(): unknown[] {
    return this.batch ? this.drainPartials() : NOTHING;
  }

  /** Each key's count so far as a partial `[key, n]`, and the state is cleared. */
  drainPartials(): KeyedPartial[] {
    const out: KeyedPartial[] = [];
    for (const entry of this.state.values()) out.push([entry.key, entry.count]);
    this.state.clear();
    return out;
  }
}
