/**
 * Fault: a task executor that hangs (SIGSTOP: alive, silent) while it runs tasks of a job.
 * Promised: the job manager declares it lost after the heartbeat timeout, the job restarts on the
 * task executors that remain (the cluster has a spare one) and writes the same counts as a
 * single-process reference. Once it runs again (SIGCONT), what the stale task executor sends late
 * changes nothing: its old attempts' state reports and collected records are refused, the job's
 * result and event log stay as they were, it is told to cancel what it still ran, and its slots
 * come back free and usable by the next job.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, TaskStateChanged } from '../../generated/flotilla/v1/events.js';
import { ExecutionState } from '../../generated/flotilla/v1/status.js';
import { finalCountsOfFolder, writeWordText } from '../../scripts/bench/lib/wordText.mjs';
import { encodeRecords } from '../../src/rpc/convert/records.js';
import {
  dispatcherClient,
  importPipelines,
  jobEvents,
  jobStatusesOf,
  startTestCluster,
  taskExecutorClient,
  type TestCluster,
} from '../support/cluster.js';
import type { ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

const HEARTBEAT_TIMEOUT_MS = 5000;
const work = tempDir();
const { wordCount, squares } = await importPipelines();
const input = join(work, 'input.txt');
let reference: Map<string, number>;
let cluster: TestCluster;

beforeAll(async () => {
  reference = writeWordText(input, 30 * 1024 * 1024);
  // Three task executors of two slots for a job of parallelism 4: whichever one hangs, the others have room.
  cluster = await startTestCluster({
    taskExecutors: 3,
    slots: 2,
    jobManagerArgs: [
      '--heartbeat-interval',
      '500',
      '--heartbeat-timeout',
      String(HEARTBEAT_TIMEOUT_MS),
      '--slot-request-timeout',
      '60000',
    ],
  });
}, 120_000);

afterAll(async () => {
  for (const taskExecutor of cluster?.taskExecutors ?? []) taskExecutor.child.kill('SIGCONT');
  await cluster?.stop();
});

/** The task state changes among `events`. */
function tasks(events: readonly JobEvent[]): TaskStateChanged[] {
  return events.flatMap((event) => (event.kind?.$case === 'taskStateChanged' ? [event.kind.taskStateChanged] : []));
}

/** The execution attempts a task executor runs now, as it says itself. */
async function runningAttempts(taskExecutor: ServerProcess): Promise<string[]> {
  return (await taskExecutorClient(taskExecutor.address).heartbeat({ clusterId: '' })).runningExecutionAttemptIds;
}

describe('a task executor that hangs (SIGSTOP) during a job', () => {
  it('is declared lost, the job restarts elsewhere with the right counts, and its late messages change nothing', async () => {
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const overview = await dispatcher.requestClusterOverview({});
    const idOf = (taskExecutor: ServerProcess) =>
      overview.taskExecutorInfos.find((info) => info.address === taskExecutor.address)!.id;
    const env = cluster
      .environment({ restartStrategy: { kind: 'fixedDelay', maxAttempts: 10, delayMs: 500 } })
      .setParallelism(4);
    const output = join(work, 'counts');
    wordCount(env, input, output);
    const client = await env.executeAsync('word count, hung task executor');
    const jobId = client.getJobID();

    // Hang a task executor once it runs tasks of the job.
    let victim: ServerProcess | undefined;
    await expect
      .poll(
        async () => {
          const running = new Set(
            tasks(await jobEvents(dispatcher, jobId))
              .filter((task) => task.state === ExecutionState.RUNNING)
              .map((task) => task.taskExecutorId),
          );
          victim = cluster.taskExecutors.find((taskExecutor) => running.has(idOf(taskExecutor)));
          return victim !== undefined;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    const victimId = idOf(victim!);
    const staleAttempts = await runningAttempts(victim!);
    expect(staleAttempts.length).toBeGreaterThan(0);
    victim!.child.kill('SIGSTOP');

    // The heartbeat timeout declares it lost; the job restarts and runs again without it.
    await expect
      .poll(
        async () => {
          const seen = tasks(await jobEvents(dispatcher, jobId));
          const lost = seen.some(
            (task) =>
              task.taskExecutorId === victimId &&
              task.state === ExecutionState.FAILED &&
              task.failure?.name === 'TaskExecutorLostError',
          );
          return lost && seen.some((task) => task.attemptNumber > 0 && task.state === ExecutionState.RUNNING);
        },
        { timeout: HEARTBEAT_TIMEOUT_MS + 60_000, interval: 200 },
      )
      .toBe(true);
    const lostAttemptNumber = tasks(await jobEvents(dispatcher, jobId)).find(
      (task) => task.taskExecutorId === victimId,
    )!.attemptNumber;

    // Late messages of the old attempts, as the stale task executor would send them, are refused.
    for (const executionAttemptId of staleAttempts) {
      for (const state of [ExecutionState.FINISHED, ExecutionState.FAILED, ExecutionState.CANCELED]) {
        const answer = await dispatcher.updateTaskExecutionState({
          taskExecutorId: victimId,
          jobId,
          executionAttemptId,
          state,
          failure: undefined,
        });
        expect(answer.accepted).toBe(false);
      }
      expect(
        (await dispatcher.reportCollectedRecords({ jobId, executionAttemptId, records: encodeRecords([['stale', 1]]) }))
          .accepted,
      ).toBe(false);
    }

    // And so is whatever the stale task executor really sends once it runs again.
    victim!.child.kill('SIGCONT');
    await client.getJobExecutionResult();
    expect(finalCountsOfFolder(output)).toEqual(reference);
    const atEnd = await jobEvents(dispatcher, jobId);
    const statuses = jobStatusesOf(atEnd);
    expect(statuses).toContain('RESTARTING');
    expect(statuses.at(-1)).toBe('FINISHED');
    const lossAt = atEnd.findIndex(
      (event) =>
        event.kind?.$case === 'taskStateChanged' &&
        event.kind.taskStateChanged.taskExecutorId === victimId &&
        event.kind.taskStateChanged.failure?.name === 'TaskExecutorLostError',
    );
    const afterLoss = tasks(atEnd.slice(lossAt + 1));
    expect(
      afterLoss.filter(
        (task) =>
          task.taskExecutorId === victimId &&
          task.attemptNumber === lostAttemptNumber &&
          task.state !== ExecutionState.FAILED,
      ),
    ).toEqual([]);

    // The stale task executor registers again, its old tasks stop, and every slot of the cluster is free.
    await expect
      .poll(
        async () => {
          const now = await dispatcher.requestClusterOverview({});
          const own = await taskExecutorClient(victim!.address).heartbeat({ clusterId: '' });
          return {
            registered: now.taskExecutorInfos.some((info) => info.id === victimId),
            free: now.slotsAvailable,
            total: now.slotsTotal,
            staleRunning: own.runningExecutionAttemptIds.filter((attempt) => staleAttempts.includes(attempt)),
            ownAllocated: own.slots.filter((slot) => slot.allocationId !== '').length,
          };
        },
        { timeout: 60_000, interval: 200 },
      )
      .toEqual({ registered: true, free: 6, total: 6, staleRunning: [], ownAllocated: 0 });
    expect(await jobEvents(dispatcher, jobId)).toEqual(atEnd);
    expect(finalCountsOfFolder(output)).toEqual(reference);

    // Its slots are usable again: a job that needs every slot of the cluster runs, some of it there.
    const records = (await squares(cluster.environment().setParallelism(6), 600)) as number[];
    expect(records.sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, index) => (index + 1) ** 2));
    const [wideJob] = (await dispatcher.listJobs({ pageSize: 1, pageToken: '' })).jobs;
    expect(
      tasks(await jobEvents(dispatcher, wideJob.id)).some(
        (task) => task.taskExecutorId === victimId && task.state === ExecutionState.FINISHED,
      ),
    ).toBe(true);
  }, 300_000);
});
