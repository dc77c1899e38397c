/**
 * The accumulator of `KeyedStream.count()`: a count per key, emitted as `[key, count]`, the key
 * being the one its first record gave. A pre-aggregated input brings `[key, n]` partials of
 * producers that counted first; their `n`s are added up.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { KeyedAccumulator } from './KeyedAccumulator.js';

/** Counts the records of each key. */
export class CountAccumulator implements KeyedAccumulator<number> {
  /** @param name The operator's name, for errors. */
  constructor(private readonly name: string) {}

  /**
   * 1 for a record, `n` for a partial `[key, n]`.
   *
   * @throws InvalidArgumentError when a partial's `n` is not a number.
   */
  input(value: unknown, preAggregated: boolean): number {
    if (!preAggregated) return 1;
    if (typeof value !== 'number')
      throw new InvalidArgumentError(
        `"${this.name}" expects partial counts [key, n] from its pre-aggregating producers`,
      );
    return value;
  }

  create(count: unknown): number {
    return 0 + (count as number);
  }

  add(total: number, count: unknown): number {
    return total + (count as number);
  }

  /** `[key, count so far]`. */
  result(key: unknown, total: number): unknown {
    return [key, total];
  }

  /** The count so far. */
  partial(total: number): unknown {
    return total;
  }
}
