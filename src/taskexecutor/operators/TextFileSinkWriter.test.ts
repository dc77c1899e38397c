import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testTaskContext } from './testing/testTaskContext.js';
import { TextFileSinkWriter } from './TextFileSinkWriter.js';

describe('TextFileSinkWriter', () => {
  let dir: string;
  let out: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-text-sink-'));
    out = join(dir, 'out');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes to a hidden in-progress file and renames it to part-i when it finishes', async () => {
    const sink = new TextFileSinkWriter(out, false, testTaskContext(2, 3, { attemptNumber: 1 }), 8);
    await sink.open();
    await sink.emit(['first line', ['tuple', 1], { a: 'é' }]);
    expect(readdirSync(out)).toEqual(['.part-2.attempt-1.inprogress']);
    expect(existsSync(join(out, 'part-2'))).toBe(false);
    await sink.emit([42]);
    await sink.finish();
    expect(readdirSync(out).filter((name) => !name.startsWith('.'))).toEqual(['part-2']);
    expect(existsSync(sink.inProgressFile)).toBe(false);
    expect(readFileSync(join(out, 'part-2'), 'utf8')).toBe('first line\n["tuple",1]\n{"a":"é"}\n42\n');
  });

  it('buffers writes until the buffer is full', async () => {
    const sink = new TextFileSinkWriter(out, true, testTaskContext(), 1000);
    await sink.open();
    await sink.emit(['short']);
    expect(readFileSync(sink.inProgressFile, 'utf8')).toBe('');
    await sink.emit(['x'.repeat(1000)]);
    expect(readFileSync(sink.inProgressFile, 'utf8')).toBe(`short\n${'x'.repeat(1000)}\n`);
    await sink.finish();
  });

  it('leaves nothing behind when aborted, and aborting twice is harmless', async () => {
    const sink = new TextFileSinkWriter(out, false, testTaskContext(0, 2), 4);
    await sink.open();
    await sink.emit(['some', 'records']);
    expect(existsSync(sink.inProgressFile)).toBe(true);
    await sink.abort();
    await sink.abort();
    expect(readdirSync(out)).toEqual([]);
    await expect(sink.emit(['late'])).rejects.toThrow(/is not open/);
  });

  it('keeps a committed part file when aborted after finishing', async () => {
    const sink = new TextFileSinkWriter(out, true, testTaskContext());
    await sink.open();
    await sink.emit(['kept']);
    await sink.finish();
    await sink.abort();
    expect(readFileSync(join(out, 'part-0'), 'utf8')).toBe('kept\n');
  });

  it('refuses to replace an existing part file without overwrite, naming the file', async () => {
    const sink = new TextFileSinkWriter(out, true, testTaskContext());
    await sink.open();
    await sink.finish();
    const other = new TextFileSinkWriter(out, false, testTaskContext(0, 1, { jobId: 'job-other' }));
    await expect(other.open()).rejects.toThrow(
      `the text file sink cannot write ${join(out, 'part-0')}: the file already exists`,
    );
    await other.abort();
    expect(readdirSync(out)).toEqual(['part-0']);
  });

  it('replaces an existing part file with overwrite', async () => {
    for (const text of ['old', 'new']) {
      const sink = new TextFileSinkWriter(out, true, testTaskContext());
      await sink.open();
      await sink.emit([text]);
      await sink.finish();
    }
    expect(readFileSync(join(out, 'part-0'), 'utf8')).toBe('new\n');
  });

  it('lets a restart of the same job replace the part file it committed before, even without overwrite', async () => {
    const first = new TextFileSinkWriter(out, false, testTaskContext(0, 1, { attemptNumber: 0 }));
    await first.open();
    await first.emit(['attempt 0']);
    await first.finish();
    const restart = new TextFileSinkWriter(out, false, testTaskContext(0, 1, { attemptNumber: 1 }));
    await restart.open();
    await restart.emit(['attempt 1']);
    await restart.finish();
    expect(readFileSync(join(out, 'part-0'), 'utf8')).toBe('attempt 1\n');
  });

  it('removes in-progress files that earlier attempts of the same subtask left', async () => {
    const crashed = new TextFileSinkWriter(out, false, testTaskContext(1, 2, { attemptNumber: 0 }));
    await crashed.open();
    await crashed.emit(['never committed']);
    const otherSubtask = new TextFileSinkWriter(out, false, testTaskContext(0, 2, { attemptNumber: 0 }));
    await otherSubtask.open();
    const restart = new TextFileSinkWriter(out, false, testTaskContext(1, 2, { attemptNumber: 1 }));
    await restart.open();
    expect(readdirSync(out).sort()).toEqual(['.part-0.attempt-0.inprogress', '.part-1.attempt-1.inprogress']);
    await restart.abort();
    await otherSubtask.abort();
    await crashed.abort();
  });
});
