/**
 * The accumulator of `KeyedStream.sum(field)` (Flink's `SumAggregator`): a sum of one field per key.
 * As in Flink, it emits a copy of the key's first record with the field replaced by the sum; the
 * other fields keep the first record's values. A pre-aggregated input brings each producer's first
 * record of a key with its sum, which are summed again; the other fields then come from the first
 * partial to arrive.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { KeyedAccumulator } from './KeyedAccumulator.js';

type Summand = number | bigint;

/** A key's first record and its sum so far. */
interface Sum {
  first: unknown;
  sum: Summand;
}

/** Sums a field of the records of each key. */
export class SumAccumulator implements KeyedAccumulator<Sum> {
  private readonly index: number | undefined;

  /**
   * @param name The operator's name, for errors.
   * @param field `""` sums the records themselves (numbers); a non-negative integer such as `"1"`
   *   is an index into tuple-like array records; anything else is a property name. Records that
   *   are not arrays are always read by property, so `"1"` names property `1` of an object.
   */
  constructor(
    private readonly name: string,
    private readonly field: string,
  ) {
    this.index = /^(0|[1-9]\d*)$/.test(field) ? Number(field) : undefined;
  }

  /** A record and a partial's record with its partial sum are summed alike. */
  input(record: unknown): unknown {
    return record;
  }

  /**
   * The key's first record and its field.
   *
   * @throws InvalidArgumentError when the field is not a number (or a bigint).
   */
  create(record: unknown): Sum {
    return { first: record, sum: this.read(record) };
  }

  /**
   * Adds the record's field to the key's sum.
   *
   * @throws InvalidArgumentError when the field is not a number (or a bigint), or numbers and
   *   bigints are mixed within one key.
   */
  add(accumulator: Sum, record: unknown): Sum {
    const value = this.read(record);
    if (typeof value !== typeof accumulator.sum) throw this.mixed();
    accumulator.sum = (accumulator.sum as number) + (value as number);
    return accumulator;
  }

  /**
   * The key's first record with the field set to the sum (a new array or object each time; the
   * number itself when `field` is `""`).
   */
  result(_key: unknown, { first, sum }: Sum): unknown {
    return this.write(first, sum);
  }

  /** The key's first record with its sum so far. */
  partial({ first, sum }: Sum): unknown {
    return this.write(first, sum);
  }

  private read(record: unknown): Summand {
    let value: unknown;
    if (this.field === '') value = record;
    else if (this.index !== undefined && Array.isArray(record)) value = record[this.index];
    else if (record !== null && typeof record === 'object') value = (record as Record<string, unknown>)[this.field];
    if (typeof value === 'number' || typeof value === 'bigint') return value;
    const where = this.field === '' ? 'records' : `field "${this.field}"`;
    throw new InvalidArgumentError(
      `"${this.name}" sums ${where}, but a record has ${describe(value)} there: ${preview(record)}`,
    );
  }

  private write(first: unknown, sum: Summand): unknown {
    if (this.field === '') return sum;
    if (this.index !== undefined && Array.isArray(first)) {
      const copy = first.slice();
      copy[this.index] = sum;
      return copy;
    }
    return { ...(first as object), [this.field]: sum };
  }

  private mixed(): InvalidArgumentError {
    return new InvalidArgumentError(`"${this.name}" cannot add numbers and bigints in the same sum`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function preview(record: unknown): string {
  let text: string;
  try {
    text = typeof record === 'string' ? JSON.stringify(record) : (JSON.stringify(record) ?? String(record));
  } catch {
    text = String(record);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
