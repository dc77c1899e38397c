/**
 * Back pressure, cancellation, failures and build-time refusal on a cluster of real processes: a
 * job manager and two task executors with two slots each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionState } from '../../generated/flotilla/v1/status.js';
import {
  dispatcherClient,
  jobEvents,
  jobStatusesOf,
  PIPELINES_BUNDLE,
  startTestCluster,
  type TestCluster,
  importPipelines,
} from '../support/cluster.js';
import { tempDir } from '../support/tempDir.js';

const work = tempDir();
const { capturesLocal, failing, slowSink } = await importPipelines();
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ taskExecutors: 2, slots: 2 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The resident set size of a process, in MiB, from /proc. */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

describe('a job on the cluster', () => {
  it('holds producers back behind a slow sink (bounded memory), then cancels to CANCELED with every slot free', async () => {
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const records = 2_000_000;
    const recordBytes = 1000; // 2 GB of input in all, far more than the task executors may hold
    const env = cluster.environment().setParallelism(2);
    slowSink(env, records, recordBytes, 1, join(work, 'slow'));
    const client = await env.executeAsync('slow sink');
    await expect
      .poll(
        async () =>
          (await jobEvents(dispatcher, client.getJobID())).filter(
            (e) => e.kind?.$case === 'taskStateChanged' && e.kind.taskStateChanged.state === ExecutionState.RUNNING,
          ).length,
        {
          timeout: 60_000,
        },
      )
      .toBe(4);
    const peaks = cluster.taskExecutors.map(() => 0);
    for (let sample = 0; sample < 25; sample++) {
      cluster.taskExecutors.forEach(
        (taskExecutor, index) => (peaks[index] = Math.max(peaks[index], rssMb(taskExecutor.child.pid!))),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await client.getJobStatus()).toBe('RUNNING');
    console.log(
      `task executor RSS peaks while the sink is slow: ${peaks.map((peak) => `${peak.toFixed(0)} MiB`).join(', ')}`,
    );
    for (const peak of peaks) expect(peak).toBeLessThan(400);

    await client.cancel();
    await expect.poll(() => client.getJobStatus(), { timeout: 30_000 }).toBe('CANCELED');
    const events = await jobEvents(dispatcher, client.getJobID());
    expect(jobStatusesOf(events).slice(-2)).toEqual(['CANCELLING', 'CANCELED']);
    const lastStates = new Map<string, ExecutionState>();
    for (const event of events) {
      if (event.kind?.$case !== 'taskStateChanged') continue;
      const task = event.kind.taskStateChanged;
      lastStates.set(`${task.vertexId}/${task.subtaskIndex}`, task.state);
    }
    expect([...lastStates.values()].every((state) => state === ExecutionState.CANCELED)).toBe(true);
    await expect
      .poll(async () => {
        const overview = await dispatcher.requestClusterOverview({});
        return overview.slotsAvailable === overview.slotsTotal && overview.slotsTotal === 4;
      })
      .toBe(true);
  }, 180_000);

  it("fails after its restart attempts with the message and stack the user's function threw", async () => {
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const env = cluster
      .environment({ restartStrategy: { kind: 'fixedDelay', maxAttempts: 2, delayMs: 100 } })
      .setParallelism(2);
    failing(env, 42);
    const client = await env.executeAsync('failing');
    const error = await client.getJobExecutionResult().then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.name).toBe('JobExecutionError');
    const cause = error?.cause as Error;
    expect(cause.name).toBe('RangeError');
    expect(cause.message).toBe('record 42 is not allowed');
    expect(cause.stack).toContain('pipelines.mjs');
    const { job } = await dispatcher.getJob({ jobId: client.getJobID() });
    expect(job?.restarts).toBe(2);
    expect(
      jobStatusesOf(await jobEvents(dispatcher, client.getJobID())).filter((status) => status === 'RESTARTING'),
    ).toHaveLength(2);
  }, 120_000);

  it('refuses, while the job is built, a function that captures a local variable, naming it and its line', () => {
    const env = cluster.environment();
    const source = readFileSync(join(PIPELINES_BUNDLE, 'pipelines.mjs'), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('(n) => n * factor')) + 1;
    expect(() => capturesLocal(env)).toThrow(
      expect.objectContaining({
        name: 'CapturedVariableError',
        message: expect.stringMatching(
          new RegExp(`"factor".*pipelines.mjs:${line}|pipelines.mjs:${line}.*"factor"`, 's'),
        ),
      }),
    );
  });
});
