import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { continuousFileSource, type ContinuousFilePosition } from './continuousFileSource.js';
import { generatorSource } from './generatorSource.js';
import type { SourceBatch } from './SourceBatch.js';
import { testTaskContext } from './testing/testTaskContext.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** The first `n` batches of `source`, then it is closed. */
async function take(source: AsyncGenerator<SourceBatch>, n: number): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  while (out.length < n) {
    const next = await source.next();
    if (next.done) break;
    out.push(next.value);
  }
  await source.return(undefined);
  return out;
}

describe('generatorSource', () => {
  it('splits the indices over the subtasks, ends at the count, and goes on from a restored position', async () => {
    const fn = (index: number) => `r${index}`;
    const sub1 = await take(generatorSource(testTaskContext(1, 2), { fn, count: 7, batchSize: 2 }), 10);
    expect(sub1).toEqual([
      { records: ['r1', 'r3'], position: 2 },
      { records: ['r5'], position: 3 },
    ]);
    const restored = await take(generatorSource(testTaskContext(1, 2), { fn, count: 7, batchSize: 2, emitted: 2 }), 10);
    expect(restored).toEqual([{ records: ['r5'], position: 3 }]);
  });

  it('never ends without a count, and keeps to its rate', async () => {
    const started = Date.now();
    const batches = await take(
      generatorSource(testTaskContext(), { fn: (index: number) => index, recordsPerSecond: 100, batchSize: 1000 }),
      5,
    );
    const emitted = batches.reduce((sum, batch) => sum + batch.records.length, 0);
    // At 100 records per second, the records of 5 batches cannot have come faster than the rate allows.
    expect(emitted).toBeLessThanOrEqual(Math.ceil(((Date.now() - started) * 100) / 1000) + 1);
    expect(batches.at(-1)?.position).toBe(emitted);
  });
});

describe('continuousFileSource', () => {
  it('reads the files there, then new ones as they appear, and a restored reader skips what was read', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'flotilla-watch-'));
    folders.push(folder);
    writeFileSync(join(folder, 'a.txt'), 'a1\na2\na3\n');
    writeFileSync(join(folder, '.hidden'), 'never\n');
    const source = continuousFileSource(folder, 20, testTaskContext(), 2);
    const first = await take(source, 3);
    expect(first.map((batch) => batch.records)).toEqual([['a1', 'a2'], ['a3'], []]);
    expect(first[0].position).toEqual({ done: [], current: { file: 'a.txt', lines: 2 } });

    // A file moved in later is picked up at the next look.
    const watcher = continuousFileSource(folder, 20, testTaskContext(), 10, { done: ['a.txt'] });
    const next = watcher.next();
    writeFileSync(join(folder, '.b.tmp'), 'b1\nb2\n');
    renameSync(join(folder, '.b.tmp'), join(folder, 'b.txt'));
    expect((await next).value).toEqual({
      records: ['b1', 'b2'],
      position: { done: ['a.txt'], current: { file: 'b.txt', lines: 2 } },
    });
    await watcher.return(undefined);

    const restored: ContinuousFilePosition = { done: [], current: { file: 'a.txt', lines: 2 } };
    const resumed = await take(continuousFileSource(folder, 20, testTaskContext(), 10, restored), 2);
    expect(resumed[0].records).toEqual(['a3']);
    expect(resumed[1].position).toEqual({ done: ['a.txt'] });
  });
});
