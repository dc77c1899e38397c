/**
 * Streaming with checkpoints on real processes (issue 16, parts 1 and 2): a word count reads a
 * NATS JetStream stream (a real nats-server started here) at parallelism 4 on a job manager and two
 * task executors, checkpointing every 500 ms into a folder, and writes running counts through the
 * two-phase-commit text file sink. A task executor is killed (-9) mid-stream, while messages are
 * still being published; after recovery from the latest completed checkpoint the committed output
 * equals that of an undisturbed run over the same stream, line for line: no word counted twice,
 * none lost.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../generated/flotilla/v1/events.js';
import { ExecutionState } from '../../generated/flotilla/v1/status.js';
import {
  dispatcherClient,
  importPipelines,
  jobEvents,
  jobStatusesOf,
  startTestCluster,
  type TestCluster,
} from '../support/cluster.js';
import { startNatsServer, type NatsServer } from '../support/natsServer.js';
import { tempDir } from '../support/tempDir.js';
import { committedLines, runningCounts } from '../support/wordCountOutput.js';

const work = tempDir();
const { streamingWordCount } = await importPipelines();
const STREAM = 'WORDS';
const SUBJECT = 'words';
const VOCABULARY = Array.from({ length: 60 }, (_, i) => `w${i}`);
/** 1,200 lines of 8 words each, the same every run. */
const LINES = Array.from({ length: 1200 }, (_, line) =>
  Array.from({ length: 8 }, (_, k) => VOCABULARY[(line * 31 + k * 17 + ((line * k) % 7)) % VOCABULARY.length]).join(
    ' ',
  ),
);
const TOTAL_WORDS = LINES.length * 8;

let nats: NatsServer;
let connection: NatsConnection;
let cluster: TestCluster;

beforeAll(async () => {
  nats = await startNatsServer();
  connection = await nats.connect();
  const manager = await connection.jetstreamManager();
  await manager.streams.add({ name: STREAM, subjects: [SUBJECT] });
  cluster = await startTestCluster({
    taskExecutors: 2,
    slots: 2,
    jobManagerArgs: ['--heartbeat-interval', '500', '--heartbeat-timeout', '3000', '--slot-request-timeout', '30000'],
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await nats?.stop();
});

/** Publishes lines `from` (included) to `to` (excluded) and waits until JetStream stored each. */
async function publish(from: number, to: number): Promise<void> {
  const js = connection.jetstream();
  for (let line = from; line < to; line++) await js.publish(SUBJECT, LINES[line]);
}

/** Whether `event` says a task of the job started RUNNING on the task executor `taskExecutorId`. */
function isRunningOn(event: JobEvent, taskExecutorId: string): boolean {
  return (
    event.kind?.$case === 'taskStateChanged' &&
    event.kind.taskStateChanged.taskExecutorId === taskExecutorId &&
    event.kind.taskStateChanged.state === ExecutionState.RUNNING
  );
}

/** Starts the streaming word count with checkpoints every 500 ms into `checkpoints`, writing to `output`. */
function startWordCount(output: string, checkpoints: string, name: string) {
  const env = cluster
    .environment({
      restartStrategy: { kind: 'fixedDelay', maxAttempts: 10, delayMs: 500 },
      properties: { 'state.checkpoints.dir': checkpoints, 'state.checkpoints.num-retained': '2' },
    })
    .setParallelism(4)
    .enableCheckpointing(500);
  streamingWordCount(env, nats.url, STREAM, output);
  return env.executeAsync(name);
}

describe('a streaming word count from JetStream with checkpoints', () => {
  it('recovers from kill -9 of a task executor mid-stream with exactly the output of an undisturbed run', async () => {
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const output = join(work, 'killed');
    const checkpoints = join(work, 'checkpoints-killed');
    const victim = cluster.taskExecutors[0];
    const overview = await dispatcher.requestClusterOverview({});
    const victimId = overview.taskExecutorInfos.find((info) => info.address === victim.address)?.id;
    expect(victimId).toBeDefined();

    await publish(0, 400);
    const client = await startWordCount(output, checkpoints, 'streaming word count, killed');
    expect(await client.getJobStatus()).toBe('RUNNING');
    await expect
      .poll(
        async () => (await jobEvents(dispatcher, client.getJobID())).some((event) => isRunningOn(event, victimId!)),
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);
    // Mid-stream: a checkpoint has committed part of the output, and the rest is still to come.
    await expect.poll(() => committedLines(output).length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    await publish(400, 800);
    await victim.stop('SIGKILL');
    await publish(800, LINES.length);
    await cluster.addTaskExecutor();
    await expect
      .poll(() => committedLines(output).length, { timeout: 120_000, interval: 250 })
      .toBeGreaterThanOrEqual(TOTAL_WORDS);
    // Let later checkpoints complete too: a duplicate would show up as extra lines.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await client.cancel();
    const killed = committedLines(output);
    expect(killed.length).toBe(TOTAL_WORDS);
    expect(killed).toEqual(runningCounts(LINES));

    const statuses = jobStatusesOf(await jobEvents(dispatcher, client.getJobID()));
    expect(statuses).toContain('RESTARTING');
    expect(statuses.at(-1)).toBe('CANCELED');
    // Completed checkpoints are folders with a manifest; only the last two are kept.
    const kept = readdirSync(join(checkpoints, client.getJobID())).filter((name) => /^chk-\d+$/.test(name));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(2);
    for (const folder of kept) {
      const manifest = JSON.parse(readFileSync(join(checkpoints, client.getJobID(), folder, '_metadata'), 'utf8'));
      expect(manifest.jobId).toBe(client.getJobID());
      expect(manifest.states.length).toBe(8);
    }

    // The same job over the same stream, undisturbed.
    const undisturbedOutput = join(work, 'undisturbed');
    const undisturbed = await startWordCount(undisturbedOutput, join(work, 'checkpoints-undisturbed'), 'undisturbed');
    await expect
      .poll(() => committedLines(undisturbedOutput).length, { timeout: 120_000, interval: 250 })
      .toBeGreaterThanOrEqual(TOTAL_WORDS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await undisturbed.cancel();
    expect(killed).toEqual(committedLines(undisturbedOutput));
  }, 400_000);
});
