/**
 * The operator of `KeyedStream.sum(field)` (Flink's `SumAggregator`): a sum of one field per key.
 * As in Flink, it emits a copy of the key's first record with the field replaced by the sum; the
 * other fields keep the first record's values. With streaming semantics it emits the running sum
 * for every record; in BATCH mode the final sum of each key once, when its input ends. A
 * pre-aggregated input brings each producer's first record of a key with its sum, which are summed
 * again; the other fields then come from the first partial to arrive.
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

type Summand = number | bigint;

const NOTHING: unknown[] = [];

/** Sums a field of the records of each key. */
export class SumOperator implements StreamOperator {
  private readonly state = new KeyedState<{ key: unknown; first: unknown; sum: Summand }>();
  private readonly index: number | undefined;
  private readonly batch: boolean;
  private readonly preAggregated: boolean;
  /** Names the key selector in errors; made once, not per record. */
  private readonly keySelectorWhat: string;

  /**
   * @param keySelector The loaded key selector of the hash edge that feeds this operator.
   * @param field `""` sums the records themselves (numbers); a non-negative integer such as `"1"`
   *   is an index into tuple-like array records; anything else is a property name. Records that
   *   are not arrays are always read by property, so `"1"` names property `1` of an object.
   */
  constructor(
    readonly name: string,
    private readonly keySelector: UserFunction,
    private readonly field: string,
    mode: KeyedAggregationMode = STREAMING_AGGREGATION,
  ) {
    this.index = /^(0|[1-9]\d*)$/.test(field) ? Number(field) : undefined;
    this.batch = mode.runtimeMode === 'BATCH';
    this.preAggregated = mode.preAggregated;
    this.keySelectorWhat = `the key selector of "${name}"`;
  }

  /** How many keys have a sum. */
  get keyCount(): number {
    return this.state.size;
  }

  /**
   * Adds each record's field to its key's sum. In STREAMING mode returns, for every record, the
   * key's first record with the field set to the running sum (a new array or object each time;
   * the number itself when `field` is `""`); in BATCH mode returns nothing.
   *
   * @throws InvalidArgumentError when the field of a record is not a number (or a bigint), or
   *   numbers and bigints are mixed within one key.
   */
  processBatch(records: unknown[]): unknown[] {
    const out = this.batch ? NOTHING : new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      let key: unknown;
      let record: unknown;
      if (this.preAggregated) {
        [key, record] = partialOf(records[i], this.name);
      } else {
        record = records[i];
        key = checkSynchronous(this.keySelector(record), this.keySelectorWhat);
      }
      let entry = this.state.get(key);
      const value = this.read(record);
      if (entry === undefined) {
        entry = { key, first: record, sum: value };
        this.state.set(key, entry);
      } else {
        if (typeof value !== typeof entry.sum) throw this.mixed();
        entry.sum = (entry.sum as number) + (value as number);
      }
      if (!this.batch) out[i] = this.write(entry.first, entry.sum);
    }
    return out;
  }

  /** In BATCH mode, each key's first record with its final sum, and the state is cleared; nothing in STREAMING mode. */
  endInput(): unknown[] {
    if (!this.batch) return NOTHING;
    const out: unknown[] = [];
    for (const entry of this.state.values()) out.push(this.write(entry.first, entry.sum));
    this.state.clear();
    return out;
  }

  /** Each key's first record with its sum so far as a partial `[key, record]`, and the state is cleared. */
  drainPartials(): KeyedPartial[] {
    const out: KeyedPartial[] = [];
    for (const entry of this.state.values()) out.push([entry.key, this.write(entry.first, entry.sum)]);
    this.state.clear();
    return out;
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
