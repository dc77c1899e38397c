/**
 * How print and text file sinks turn a record into text, the counterpart of Flink calling
 * `toString()`: strings are written as they are, so a job that reads and writes lines round-trips
 * them; everything else is written as JSON, which other tools (and a text file source) can read.
 */

/**
 * `record` itself when it is a string; `String(record)` for numbers (so `NaN` stays `NaN`),
 * booleans, bigints, `undefined`, functions and symbols; JSON for objects and arrays, with bigints
 * inside written as their digits.
 */
export function formatRecord(record: unknown): string {
  if (typeof record === 'string') return record;
  if (record === null) return 'null';
  if (typeof record !== 'object') return String(record);
  try {
    return JSON.stringify(record);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    return JSON.stringify(record, (_name, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }
}
