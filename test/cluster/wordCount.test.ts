/**
 * The cluster runtime end to end, on real processes: a job manager and two task executors with
 * two slots each run word count over 50 MB of generated text at parallelism 4, once undisturbed and
 * once with a task executor killed (-9) mid-job; both outputs equal a single-process reference.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../generated/flotilla/v1/events.js';
import { ExecutionState } from '../../generated/flotilla/v1/status.js';
import { finalCountsOfFolder, writeWordText } from '../../scripts/bench/lib/wordText.mjs';
import {
  dispatcherClient,
  jobEvents,
  jobStatusesOf,
  startTestCluster,
  type TestCluster,
  importPipelines,
} from '../support/cluster.js';
import { tempDir } from '../support/tempDir.js';

const work = tempDir();
const { wordCount } = await importPipelines();
const input = join(work, 'input.txt');
let reference: Map<string, number>;
let cluster: TestCluster;

beforeAll(async () => {
  reference = writeWordText(input, 50 * 1024 * 1024);
  cluster = await startTestCluster({
    taskExecutors: 2,
    slots: 2,
    jobManagerArgs: ['--heartbeat-interval', '500', '--heartbeat-timeout', '3000', '--slot-request-timeout', '20000'],
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Whether `event` says a task of the job started RUNNING on the task executor `taskExecutorId`. */
function isRunningOn(event: JobEvent, taskExecutorId: string): boolean {
  return (
    event.kind?.$case === 'taskStateChanged' &&
    event.kind.taskStateChanged.taskExecutorId === taskExecutorId &&
    event.kind.taskStateChanged.state === ExecutionState.RUNNING
  );
}

describe('word count on a cluster of processes', () => {
  it('counts 50 MB of text at parallelism 4 exactly as a single process does', async () => {
    const env = cluster.environment().setParallelism(4);
    const output = join(work, 'counts');
    wordCount(env, input, output);
    const result = await env.execute('word count');
    expect(result.getNetRuntime()).toBeGreaterThan(0);
    expect(finalCountsOfFolder(output)).toEqual(reference);
  }, 300_000);

  it('survives kill -9 of a task executor mid-job: RESTARTING, then the same counts', async () => {
    const env = cluster
      .environment({ restartStrategy: { kind: 'fixedDelay', maxAttempts: 10, delayMs: 500 } })
      .setParallelism(4);
    const output = join(work, 'counts-after-kill');
    wordCount(env, input, output);
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const victim = cluster.taskExecutors[0];
    const overview = await dispatcher.requestClusterOverview({});
    const victimId = overview.taskExecutorInfos.find((info) => info.address === victim.address)?.id;
    expect(victimId).toBeDefined();
    const client = await env.executeAsync('word count, killed');
    // Kill once the victim runs tasks of the job and before the job can have finished.
    await expect
      .poll(
        async () => (await jobEvents(dispatcher, client.getJobID())).some((event) => isRunningOn(event, victimId!)),
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await client.getJobStatus()).toBe('RUNNING');
    await victim.stop('SIGKILL');
    await cluster.addTaskExecutor();
    const result = await client.getJobExecutionResult();
    expect(result.getJobID()).toBe(client.getJobID());
    expect(finalCountsOfFolder(output)).toEqual(reference);
    const statuses = jobStatusesOf(await jobEvents(dispatcher, client.getJobID()));
    expect(statuses).toContain('RESTARTING');
    expect(statuses.at(-1)).toBe('FINISHED');
  }, 300_000);
});
