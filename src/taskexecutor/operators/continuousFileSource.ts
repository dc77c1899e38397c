/**
 * The source of `env.readTextFile(path, { monitorIntervalMs })` (Flink's FileSource with
 * `monitorContinuously`): it reads the lines of every file in a folder, then looks for new files
 * every interval, without end. Each file goes whole to one subtask (by a stable hash of its name)
 * and is read when first seen, so files should appear complete (written elsewhere and moved in),
 * as with Flink. Hidden files (`.name`) and `_name` files are skipped. The position is the files
 * read completely and how many lines of the current one were emitted; a restored subtask skips
 * those.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceBatch } from './SourceBatch.js';
import { stableHash32 } from '../../runtime/partitioning/stableHash32.js';
import type { TaskContext } from './TaskContext.js';

/** Where a continuous file source stands. */
export interface ContinuousFilePosition {
  /** The files (names within the folder) read completely. */
  done: string[];
  /** The file being read and how many of its lines were emitted. */
  current?: { file: string; lines: number };
}

/** Yields the lines of the folder's files as they appear, without end. */
export async function* continuousFileSource(
  path: string,
  monitorIntervalMs: number,
  context: TaskContext,
  batchSize: number,
  restored?: ContinuousFilePosition,
): AsyncGenerator<SourceBatch> {
  let done = restored?.done ?? [];
  const doneSet = new Set(done);
  let resume = restored?.current;
  for (;;) {
    for (const file of await newFiles(path, doneSet, context)) {
      const skip = resume?.file === file ? resume.lines : 0;
      resume = undefined;
      const lines = await readLines(file === '' ? path : join(path, file));
      for (let start = skip; start < lines.length; start += batchSize) {
        const end = Math.min(lines.length, start + batchSize);
        yield { records: lines.slice(start, end), position: { done, current: { file, lines: end } } };
      }
      done = [...done, file];
      doneSet.add(file);
      yield { records: [], position: { done } };
    }
    await sleep(monitorIntervalMs);
  }
}

/** This subtask's files of the folder not read yet, by name; a plain file is its own only file (''). */
async function newFiles(path: string, done: ReadonlySet<string>, context: TaskContext): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return context.subtaskIndex === 0 && !done.has('') ? [''] : [];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
    .map((entry) => basename(entry.name))
    .filter((name) => !done.has(name) && stableHash32(name) % context.parallelism === context.subtaskIndex);
  return names.sort();
}

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
