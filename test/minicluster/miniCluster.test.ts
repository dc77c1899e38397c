/**
 * The same word-count pipeline as the cluster tests, in a MiniCluster: the whole runtime in this
 * process (a job manager and two task executors on loopback, tasks in worker threads).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniCluster } from '../../src/minicluster/MiniCluster.js';
import { importPipelines, type Pipelines } from '../support/cluster.js';
import { tempDir } from '../support/tempDir.js';
import { finalCountsOfFolder, writeWordText } from '../../scripts/bench/lib/wordText.mjs';

const work = tempDir();
const { failing, squares, wordCount, wordTotals } = (await importPipelines()) as Pipelines &
  Record<'wordTotals', Pipelines['squares']>;
let cluster: MiniCluster;

beforeAll(async () => {
  cluster = await MiniCluster.start({ taskExecutors: 2, slotsPerTaskExecutor: 2 });
});

afterAll(async () => {
  await cluster?.close();
});

describe('MiniCluster', () => {
  it('runs word count at parallelism 4 to the same counts as a single process', async () => {
    const input = join(work, 'input.txt');
    const reference = writeWordText(input, 4 * 1024 * 1024, 7);
    const env = cluster.createEnvironment().setParallelism(4);
    const output = join(work, 'counts');
    wordCount(env, input, output);
    await env.execute('word count');
    expect(finalCountsOfFolder(output)).toEqual(reference);
  });

  describe.each(['sum', 'count', 'reduce'])('keyed %s', (aggregation) => {
    const words = Array.from({ length: 300 }, (_, i) => `w${(i * 7) % 13}`);
    const totals = new Map<string, number>();
    for (const word of words) totals.set(word, (totals.get(word) ?? 0) + 1);

    it('emits one final [word, total] per word in BATCH mode (the default for bounded jobs), with or without pre-aggregation', async () => {
      for (const properties of [{}, { 'execution.batch.pre-aggregation': 'false' }] as Record<string, string>[]) {
        const env = cluster.createEnvironment({ properties }).setParallelism(2);
        const collected = (await wordTotals(env, words, aggregation)) as [string, number][];
        expect(collected).toHaveLength(totals.size);
        expect(new Map(collected)).toEqual(totals);
      }
    });

    it('emits a running [word, count] per record in STREAMING mode, as before modes existed', async () => {
      const env = cluster.createEnvironment().setParallelism(2).setRuntimeMode('STREAMING');
      const collected = (await wordTotals(env, words, aggregation)) as [string, number][];
      expect(collected).toHaveLength(words.length);
      for (const [word, total] of totals) {
        expect(
          collected
            .filter(([w]) => w === word)
            .map(([, count]) => count)
            .sort((a, b) => a - b),
        ).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      }
    });
  });

  it('collects records back to the submitter', async () => {
    const env = cluster.createEnvironment().setParallelism(2);
    const collected = (await squares(env, 1000)) as number[];
    expect([...collected].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => (i + 1) * (i + 1)));
  });

  it("fails a job whose function throws, after its restart attempts, with the user's message", async () => {
    const env = cluster.createEnvironment({ restartStrategy: { kind: 'fixedDelay', maxAttempts: 2, delayMs: 10 } });
    failing(env, 42);
    const error = await env.execute('failing').then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.name).toBe('JobExecutionError');
    expect((error?.cause as Error).name).toBe('RangeError');
    expect((error?.cause as Error).message).toBe('record 42 is not allowed');
  });
});
