/**
 * The operator of `KeyedStream.reduce()` (Flink's `StreamGroupedReduceOperator`): it keeps one
 * accumulated value per key and, with streaming semantics, emits the key's new value for every
 * record, so the last value emitted for a key is the reduction of all its records.
 */
import { canonicalKey } from './canonicalKey.js';
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { StreamOperator } from './StreamOperator.js';

/** Reduces the records of each key with the user's function. */
export class ReduceOperator implements StreamOperator {
  private readonly state = new Map<string, unknown>();

  /**
   * @param keySelector The loaded key selector of the hash edge that feeds this operator.
   * @param fn The loaded reduce function `(accumulated, record) => accumulated`.
   */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
    private readonly fn: UserFunction,
  ) {}

  /**
   * For each record, the key's new accumulated value: the record itself for the key's first
   * record, `fn(accumulated, record)` after that.
   */
  processBatch(records: unknown[]): unknown[] {
    const out = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const key = canonicalKey(checkSynchronous(this.keySelector(record), `the key selector of "${this.name}"`));
      const value = this.state.has(key)
        ? checkSynchronous(this.fn(this.state.get(key), record), `the reduce function of "${this.name}"`)
        : record;
      this.state.set(key, value);
      out[i] = value;
    }
    return out;
  }
}
