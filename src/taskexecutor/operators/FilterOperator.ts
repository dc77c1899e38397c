/** The operator of `DataStream.filter()`: keeps the records the user's predicate accepts (Flink's `StreamFilter`). */
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { StreamOperator } from './StreamOperator.js';

/** Keeps the records for which the user's filter function returns a truthy value. */
export class FilterOperator implements StreamOperator {
  /** Names the function in errors; made once, not per record. */
  private readonly what: string;

  /** @param fn The loaded filter function `(record) => boolean`. */
  constructor(
    readonly name: string,
    private readonly fn: UserFunction,
  ) {
    this.what = `the filter function of "${name}"`;
  }

  /** The records `fn` accepts, in order; `records` itself when it accepts all. */
  processBatch(records: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (const record of records) {
      if (checkSynchronous(this.fn(record), this.what)) out.push(record);
    }
    return out.length === records.length ? records : out;
  }
}
