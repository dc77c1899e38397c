import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from './createSource.js';
import { testTaskContext } from './testing/testTaskContext.js';

/** The lines a reader of `text` expects: split at '\n', '\r' before it dropped, no empty last line. */
function expectedLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** What every subtask reads, subtask after subtask (byte ranges are contiguous, so in file order). */
async function readSplits(
  path: string,
  parallelism: number,
  readChunkSize: number,
  batchSize = 4,
): Promise<string[][]> {
  const spec = { kind: 'textFileSource' as const, name: 'Text File Source', path };
  const splits: string[][] = [];
  for (let i = 0; i < parallelism; i++) {
    const lines: string[] = [];
    for await (const batch of createSource(spec, testTaskContext(i, parallelism), { readChunkSize, batchSize })) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(batchSize);
      lines.push(...(batch as string[]));
    }
    splits.push(lines);
  }
  return splits;
}

describe('textFileSource', () => {
  let dir: string;
  let counter = 0;
  const file = (text: string | Buffer): string => {
    const path = join(dir, `file-${counter++}.txt`);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-text-source-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const awkward = [
    '',
    '\n',
    '\n\n\n',
    'one line without newline',
    'a\nb\nc\n',
    'a\nb\nc',
    'windows\r\nline endings\r\n\r\nlast\r\n',
    'lone \r in a line\r\n',
    'multi-byte: € (3 bytes) 😀 (4 bytes) ß é\n€€€€€€€€\n😀😀😀😀\nend',
    'long line '.repeat(30) + '\nshort\n' + 'x'.repeat(100),
  ];

  it('reads every line exactly once whatever the parallelism and read chunk size', async () => {
    for (const text of awkward) {
      const path = file(text);
      for (const parallelism of [1, 2, 3, 4, 7, 16, 64]) {
        for (const chunkSize of [1, 2, 3, 5, 17, 1024 * 1024]) {
          const splits = await readSplits(path, parallelism, chunkSize);
          expect(splits.flat(), JSON.stringify({ text: text.slice(0, 40), parallelism, chunkSize })).toEqual(
            expectedLines(text),
          );
        }
      }
    }
  });

  it('gives each subtask the lines that start in its byte range', async () => {
    // 12 bytes: lines start at 0, 4 and 8; two subtasks get [0, 6) and [6, 12).
    const path = file('aaa\nbbb\nccc\n');
    expect(await readSplits(path, 2, 2)).toEqual([['aaa', 'bbb'], ['ccc']]);
    // A range starting right after a '\n' owns the line that starts there: [0, 4) and [4, 8).
    expect(await readSplits(file('aaa\nbbb'), 2, 3)).toEqual([['aaa'], ['bbb']]);
    // A range inside one long line owns nothing.
    expect(await readSplits(file('a-long-line\nb\n'), 4, 2)).toEqual([['a-long-line'], [], [], ['b']]);
  });

  it('holds for random text, parallelism and chunk size', async () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\r', ' '), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        async (lines, finalNewline, parallelism, chunkSize) => {
          const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const splits = await readSplits(file(text), parallelism, chunkSize);
          expect(splits.flat()).toEqual(expectedLines(text));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a folder as its files in name order, skipping hidden files, empty files and subfolders', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(join(folder, 'part-1'), 'b1\nb2');
    writeFileSync(join(folder, 'part-0'), 'a1\na2\na3\n');
    writeFileSync(join(folder, 'part-2'), '');
    writeFileSync(join(folder, 'part-3'), '€\r\nc2\n');
    writeFileSync(join(folder, '.part-4.attempt-0.inprogress'), 'hidden\n');
    writeFileSync(join(folder, 'nested', 'inner'), 'nested\n');
    const expected = ['a1', 'a2', 'a3', 'b1', 'b2', '€', 'c2'];
    for (const parallelism of [1, 2, 3, 5, 30]) {
      for (const chunkSize of [1, 4, 1024]) {
        expect((await readSplits(folder, parallelism, chunkSize)).flat()).toEqual(expected);
      }
    }
    const emptyFolder = join(dir, 'empty-folder');
    mkdirSync(emptyFolder);
    expect((await readSplits(emptyFolder, 3, 8)).flat()).toEqual([]);
  });

  it('streams a file larger than its read chunk', async () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`);
    const path = file(`${lines.join('\n')}\n`);
    const splits = await readSplits(path, 3, 64 * 1024, 1024);
    expect(splits.flat()).toEqual(lines);
    for (const split of splits) expect(split.length).toBeGreaterThan(10_000);
  });

  it('fails with the path when it does not exist', async () => {
    await expect(readSplits(join(dir, 'missing.txt'), 1, 8)).rejects.toThrow(/missing\.txt does not exist/);
  });
});
