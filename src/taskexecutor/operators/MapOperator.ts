/** The operator of `DataStream.map()`: one record out for every record in (Flink's `StreamMap`). */
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { StreamOperator } from './StreamOperator.js';

/** Applies the user's map function to every record. */
export class MapOperator implements StreamOperator {
  /** Names the function in errors; made once, not per record. */
  private readonly what: string;

  /** @param fn The loaded map function `(record) => result`. */
  constructor(
    readonly name: string,
    private readonly fn: UserFunction,
  ) {
    this.what = `the map function of "${name}"`;
  }

  /** `fn(record)` for every record, in order. */
  processBatch(records: unknown[]): unknown[] {
    const out = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      out[i] = checkSynchronous(this.fn(records[i]), this.what);
    }
    return out;
  }
}
