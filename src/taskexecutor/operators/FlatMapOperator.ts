/**
 * The operator of `DataStream.flatMap()`: any number of records out for every record in. Flink
 * hands a `Collector` to the function; here the function returns an iterable (an array, a `Set`,
 * a generator), which reads naturally in TypeScript: `line => line.split(' ')`.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { StreamOperator } from './StreamOperator.js';

/** Emits every element of what the user's flatMap function returns for each record. */
export class FlatMapOperator implements StreamOperator {
  /** Names the function in errors; made once, not per record. */
  private readonly what: string;

  /** @param fn The loaded flatMap function `(record) => Iterable<result>`. */
  constructor(
    readonly name: string,
    private readonly fn: UserFunction,
  ) {
    this.what = `the flatMap function of "${name}"`;
  }

  /**
   * The elements of `fn(record)` for every record, in order. `null` or `undefined` count as no
   * elements.
   *
   * @throws InvalidArgumentError when `fn` returns a string (whose characters would silently become
   *   records) or anything else that is not iterable.
   */
  processBatch(records: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (const record of records) {
      const result: unknown = checkSynchronous(this.fn(record), this.what);
      if (Array.isArray(result)) {
        for (let i = 0; i < result.length; i++) out.push(result[i]);
      } else if (result === null || result === undefined) {
        continue;
      } else if (typeof result === 'object' && typeof (result as Iterable<unknown>)[Symbol.iterator] === 'function') {
        for (const element of result as Iterable<unknown>) out.push(element);
      } else {
        throw new InvalidArgumentError(
          `the flatMap function of "${this.name}" must return an iterable of records (such as an array), got a ${typeof result}`,
        );
      }
    }
    return out;
  }
}
