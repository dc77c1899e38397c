import { describe, expect, it } from 'vitest';
import { RecordEncoding } from '../../../generated/flotilla/v1/common.js';
import { decodeRecords, encodeRecords } from './records.js';

describe('record batches', () => {
  const records = ['a', 1, [2, 'b'], { c: [null, true] }];

  it('round-trips through JSON lines and v8', () => {
    expect(decodeRecords(encodeRecords(records))).toEqual(records);
    expect(decodeRecords(encodeRecords(records, RecordEncoding.V8))).toEqual(records);
    expect(decodeRecords(encodeRecords([]))).toEqual([]);
  });

  it('refuses batches that do not decode or miscount', () => {
    expect(() =>
      decodeRecords({ encoding: RecordEncoding.JSON_LINES, count: 1, payload: Buffer.from('{nope') }),
    ).toThrow(/does not decode/);
    expect(() =>
      decodeRecords({ encoding: RecordEncoding.JSON_LINES, count: 3, payload: Buffer.from('1\n2') }),
    ).toThrow(/declares 3 records but holds 2/);
    expect(() => decodeRecords({ encoding: RecordEncoding.UNSPECIFIED, count: 1, payload: Buffer.from('1') })).toThrow(
      /unknown encoding/,
    );
    expect(() => encodeRecords([undefined])).toThrow(/cannot be encoded as JSON/);
  });
});
