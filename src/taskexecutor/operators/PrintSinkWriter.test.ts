import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRecord } from './formatRecord.js';
import { PrintSinkWriter, printPrefix } from './PrintSinkWriter.js';
import { testTaskContext } from './testing/testTaskContext.js';

describe('printPrefix', () => {
  it('numbers subtasks from 1 when there are several, after the identifier when there is one (as Flink)', () => {
    expect(printPrefix('', testTaskContext(0, 1))).toBe('');
    expect(printPrefix('', testTaskContext(2, 4))).toBe('3> ');
    expect(printPrefix('words', testTaskContext(0, 1))).toBe('words> ');
    expect(printPrefix('words', testTaskContext(1, 2))).toBe('words:2> ');
  });
});

describe('formatRecord', () => {
  it('writes strings as they are and everything else as JSON (numbers as numbers)', () => {
    expect(formatRecord('plain "text"')).toBe('plain "text"');
    expect(formatRecord(['hello', 3])).toBe('["hello",3]');
    expect(formatRecord({ a: 1 })).toBe('{"a":1}');
    expect(formatRecord(2.5)).toBe('2.5');
    expect(formatRecord(NaN)).toBe('NaN');
    expect(formatRecord(null)).toBe('null');
    expect(formatRecord(undefined)).toBe('undefined');
    expect(formatRecord(12n)).toBe('12');
    expect(formatRecord({ big: 12n })).toBe('{"big":"12"}');
  });
});

describe('PrintSinkWriter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes one prefixed line per record to the injected writer', async () => {
    const lines: string[] = [];
    const sink = new PrintSinkWriter('', testTaskContext(1, 3), (line) => lines.push(line));
    await sink.open();
    await sink.emit(['a', ['b', 2]]);
    await sink.finish();
    expect(lines).toEqual(['2> a', '2> ["b",2]']);
  });

  it('writes a batch to stdout at once by default', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const sink = new PrintSinkWriter('out', testTaskContext(0, 1));
    await sink.emit([1, 'two']);
    expect(write).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledWith('out> 1\nout> two\n');
  });
});
