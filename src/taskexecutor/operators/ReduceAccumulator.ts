/**
 * The accumulator of `KeyedStream.reduce()` (the user's `ReduceFunction`, which Flink's
 * `StreamGroupedReduceOperator` and, in BATCH mode, `BatchGroupedReduceOperator` apply): one
 * accumulated value per key. The first value of a key is kept as it is, `fn(accumulated, value)`
 * after that, so the last value emitted for a key is the reduction of all its records. A
 * pre-aggregated input brings each producer's accumulator, reduced like a record.
 */
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { KeyedAccumulator } from './KeyedAccumulator.js';

/** Reduces the records of each key with the user's function. */
export class ReduceAccumulator implements KeyedAccumulator<unknown> {
  /** Names the reduce function in errors; made once, not per record. */
  private readonly reduceWhat: string;

  /**
   * @param name The operator's name, for errors.
   * @param fn The loaded reduce function `(accumulated, record) => accumulated`.
   */
  constructor(
    name: string,
    private readonly fn: UserFunction,
  ) {
    this.reduceWhat = `the reduce function of "${name}"`;
  }

  /** A record and a partial's accumulator are reduced alike. */
  input(value: unknown): unknown {
    return value;
  }

  /** The first value of a key, as it is. */
  create(input: unknown): unknown {
    return input;
  }

  /** `fn(accumulated, value)`. @throws InvalidArgumentError when `fn` returns a Promise. */
  add(accumulated: unknown, input: unknown): unknown {
    return checkSynchronous(this.fn(accumulated, input), this.reduceWhat);
  }

  /** The key's value so far. */
  result(_key: unknown, accumulated: unknown): unknown {
    return accumulated;
  }

  /** The key's value so far. */
  partial(accumulated: unknown): unknown {
    return accumulated;
  }
}
