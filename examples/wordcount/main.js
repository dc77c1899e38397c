// The example application: two jobs run by one main(). The first counts the words of a few lines
// of text and collects the counts back to main(); main() ranks them; the second job writes the
// ranking to text files, one per subtask. Run it with:
//
//   flotilla run -D examples/wordcount --follow [TOP] [OUTPUT_FOLDER]
//
// main() runs inside the cluster as a driver job, so the CLI may exit while it runs.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEXT = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
  'and by opposing end them to die to sleep',
];

export async function main(env, args) {
  const top = Number(args[0] ?? 3);
  const output = args[1] ?? join(tmpdir(), 'flotilla-wordcount');

  // Job 1: counts per word. The job reads a bounded collection, so by default (runtime mode
  // AUTOMATIC, i.e. BATCH here) sum() emits each word once with its total; in STREAMING mode
  // (env.setRuntimeMode('STREAMING') or -Dexecution.runtime-mode=STREAMING) it emits a running
  // count per word, whose largest is the total. Taking the largest works in both.
  const counts = await env
    .fromCollection(TEXT)
    .flatMap((line) => line.split(/\s+/).filter((word) => word.length > 0))
    .map((word) => [word, 1])
    .keyBy((pair) => pair[0])
    .sum(1)
    .collect('count words');
  const totals = new Map();
  for (const [word, count] of counts) totals.set(word, Math.max(count, totals.get(word) ?? 0));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
  for (const [word, count] of ranked) console.log(`${word}\t${count}`);

  // Job 2: the ranking as text files, written atomically when the job finishes.
  env
    .fromCollection(ranked)
    .map(([word, count]) => `${word} ${count}`)
    .writeAsText(output, { overwrite: true });
  const job = await env.executeAsync('write ranking');
  await job.getJobExecutionResult();
  console.log(`wrote the top ${top} words to ${output}`);
}
