/**
 * The operator of `KeyedStream.count()`: a running count per key, emitted as `[key, count]` for
 * every record (streaming semantics), so the last pair emitted for a key holds its total.
 */
import { canonicalKey } from './canonicalKey.js';
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { StreamOperator } from './StreamOperator.js';

/** Counts the records of each key. */
export class CountOperator implements StreamOperator {
  private readonly state = new Map<string, { key: unknown; count: number }>();

  /** @param keySelector The loaded key selector of the hash edge that feeds this operator. */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
  ) {}

  /** `[key, count so far]` for every record; the key is the one its first record gave. */
  processBatch(records: unknown[]): unknown[] {
    const out = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      const key = checkSynchronous(this.keySelector(records[i]), `the key selector of "${this.name}"`);
      const canonical = canonicalKey(key);
      let entry = this.state.get(canonical);
      if (entry === undefined) {
        entry = { key, count: 0 };
        this.state.set(canonical, entry);
      }
      entry.count++;
      out[i] = [entry.key, entry.count];
    }
    return out;
  }
}
