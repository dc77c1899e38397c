/**
 * Record batches on the wire: JSON lines (readable from any language; used where other languages
 * may read or write, such as job graphs and collected results) or one v8-serialized array (fastest
 * between Node processes; used on the data path between task executors).
 */
import { deserialize, serialize } from 'node:v8';
import type { RecordBatch } from '../../../generated/flotilla/v1/common.js';
import { RecordEncoding } from '../../../generated/flotilla/v1/common.js';
import { InvalidArgumentError } from '../../common/errors.js';

/** Encodes records as a batch. */
export function encodeRecords(
  records: readonly unknown[],
  encoding: RecordEncoding = RecordEncoding.JSON_LINES,
): RecordBatch {
  if (encoding === RecordEncoding.V8) return { encoding, count: records.length, payload: serialize(records) };
  const lines = records.map((record, index) => {
    const json = JSON.stringify(record);
    if (json === undefined)
      throw new InvalidArgumentError(`record ${index} (${typeof record}) cannot be encoded as JSON`);
    return json;
  });
  return { encoding: RecordEncoding.JSON_LINES, count: records.length, payload: Buffer.from(lines.join('\n'), 'utf8') };
}

/** Decodes a batch; a batch that does not decode, or whose count is wrong, is INVALID_ARGUMENT. */
export function decodeRecords(batch: RecordBatch | undefined): unknown[] {
  if (!batch || batch.count === 0) return [];
  let records: unknown[];
  try {
    if (batch.encoding === RecordEncoding.V8) {
      const value = deserialize(batch.payload) as unknown;
      if (!Array.isArray(value)) throw new Error('the payload is not an array');
      records = value;
    } else if (batch.encoding === RecordEncoding.JSON_LINES) {
      records = batch.payload
        .toString('utf8')
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
    } else {
      throw new Error(`unknown encoding ${batch.encoding}`);
    }
  } catch (error) {
    throw new InvalidArgumentError(`a record batch does not decode: ${(error as Error).message}`);
  }
  if (records.length !== batch.count)
    throw new InvalidArgumentError(`a record batch declares ${batch.count} records but holds ${records.length}`);
  return records;
}
