/**
 * What a streaming word count's file sink committed, and what an undisturbed run would have:
 * the checks of the exactly-once tests (checkpoints, savepoints) compare the two.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The running counts an undisturbed streaming word count writes for `lines`, as sorted text lines. */
export function runningCounts(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  const out: string[] = [];
  for (const line of lines)
    for (const word of line.split(' ')) {
      const count = (counts.get(word) ?? 0) + 1;
      counts.set(word, count);
      out.push(JSON.stringify([word, count]));
    }
  return out.sort();
}

/** The lines of every committed part file in `folder` (hidden pending and in-progress files left out), sorted. */
export function committedLines(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.startsWith('part-'))
    .flatMap((name) =>
      readFileSync(join(folder, name), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0),
    )
    .sort();
}
