/**
 * The same word-count pipeline as the cluster tests, in a MiniCluster: the whole runtime in this
 * process (a job manager and two task executors on loopback, tasks in worker threads).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniCluster } from '../../src/minicluster/MiniCluster.js';
import { importPipelines } from '../support/cluster.js';
import { tempDir } from '../support/tempDir.js';
import { finalCountsOfFolder, writeWordText } from '../../scripts/bench/lib/wordText.mjs';

const work = tempDir();
const { failing, squares, wordCount } = await importPipelines();
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

  it('collects records back to the submitter', async () => {
    const env = cluster.createEnvironment().setParallelism(2);
    const collected = (await squares(env, 1000)) as number[];
    expect([...collected].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => (i + 1) * (i + 1)));
  });

  it('fails a job whose function throws, after its restart attempts, with the user\'s message', async () => {
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
