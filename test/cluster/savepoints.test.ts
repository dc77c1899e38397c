/**
 * Savepoints and restore on real processes (issue 16, parts 3 and 4, the cluster's side): a keyed
 * running count per word reads a NATS JetStream stream (a real nats-server started here) at
 * parallelism 2 on a job manager and two task executors, checkpointing every 500 ms, and writes
 * through the two-phase-commit text file sink.
 *
 * - TriggerSavepoint with stop ends the job FINISHED with a savepoint folder, its output committed
 *   exactly once up to the savepoint, and CheckpointCompleted events for it and the checkpoints;
 * - a version of the job that adds a stateless map (its counts' vertex chains one more operator)
 *   restores from it into the same folder: the counts continue, and the folder holds exactly the
 *   output of one undisturbed run over the whole stream;
 * - a version without the keyed counts is refused naming their uid, and runs with
 *   allow_non_restored_state (its source restored, so it reads only what came after the savepoint);
 * - a missing savepoint path is refused naming it;
 * - in driver mode, the DRIVER job's ApplicationRestore gives the job main() submits under the
 *   restored name its state.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import type { JobSubmitter } from '../../src/api/JobSubmitter.js';
import { ExecutionEnvironment } from '../../src/api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../../src/api/functions/bundleFunctionCapturer.js';
import { DispatcherJobSubmitter } from '../../src/driver/service/DispatcherJobSubmitter.js';
import type { JobGraph, SavepointRestoreSettings } from '../../src/jobgraph/jobGraph.js';
import { jobGraphToMessage } from '../../src/runtime/service/jobGraph.js';
import {
  dispatcherClient,
  importPipelines,
  jobEvents,
  PIPELINES_BUNDLE,
  startTestCluster,
  type TestCluster,
} from '../support/cluster.js';
import { startNatsServer, type NatsServer } from '../support/natsServer.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import { committedLines, runningCounts } from '../support/wordCountOutput.js';

const work = tempDir();
const savepoints = sharedDir();
const { savepointCounts } = await importPipelines();
const STREAM = 'COUNTED';
const SUBJECT = 'counted';
const VOCABULARY = Array.from({ length: 40 }, (_, i) => `w${i}`);
/** 600 lines of 8 words each, the same every run. */
const LINES = Array.from({ length: 600 }, (_, line) =>
  Array.from({ length: 8 }, (_, k) => VOCABULARY[(line * 13 + k * 7 + ((line * k) % 5)) % VOCABULARY.length]).join(' '),
);
/** Lines published before the savepoint. */
const BEFORE = 300;

let nats: NatsServer;
let connection: NatsConnection;
let cluster: TestCluster;
const closers: Array<() => void> = [];

beforeAll(async () => {
  nats = await startNatsServer();
  connection = await nats.connect();
  await (await connection.jetstreamManager()).streams.add({ name: STREAM, subjects: [SUBJECT] });
  cluster = await startTestCluster({
    taskExecutors: 2,
    slots: 3,
    taskExecutorArgs: ['--cpus', '6', '--memory', '3072'],
  });
}, 120_000);

afterAll(async () => {
  for (const close of closers) close();
  await cluster?.stop();
  await nats?.stop();
});

async function publish(from: number, to: number): Promise<void> {
  const js = connection.jetstream();
  for (let line = from; line < to; line++) await js.publish(SUBJECT, LINES[line]);
}

/** Starts `savepointCounts` in `variant`, restoring from `savepoint` when given. */
function startCounts(output: string, name: string, variant: string, savepoint?: SavepointRestoreSettings) {
  const submitter = new DispatcherJobSubmitter({ address: cluster.jobManager.address });
  closers.push(() => submitter.close());
  const restoring: JobSubmitter = {
    submit: (graph: JobGraph) => submitter.submit(savepoint ? { ...graph, savepoint } : graph),
  };
  const env = new ExecutionEnvironment({
    submitter: restoring,
    captureFunction: bundleFunctionCapturer(PIPELINES_BUNDLE),
    bundle: { artifactId: cluster.artifactId },
    restartStrategy: { kind: 'none' },
    properties: { 'state.checkpoints.dir': join(work, 'checkpoints') },
  })
    .setParallelism(2)
    .enableCheckpointing(500);
  savepointCounts(env, nats.url, STREAM, output, variant);
  return env.executeAsync(name);
}

let savepointPath = '';

const APPLICATION_NAME = 'savepointed';

/**
 * Submits a driver job of the pipelines bundle's `savepointCountsMain` in `variant`, as the control
 * plane submits one, whose application restores the job "counts" from the savepoint.
 */
async function submitDriver(applicationId: string, output: string, variant: string): Promise<string> {
  const resources = { cpus: 1, heapMemoryMb: 256, directMemoryMb: 64, nativeMemoryMb: 64 };
  const graph: JobGraph = {
    name: `${APPLICATION_NAME}: driver`,
    vertices: [
      {
        id: 'driver',
        name: 'Driver',
        parallelism: 1,
        operators: [
          {
            kind: 'driver',
            name: 'Driver',
            applicationId,
            applicationName: APPLICATION_NAME,
            entry: 'pipelines.mjs#savepointCountsMain',
            args: [nats.url, STREAM, output, variant],
            resources,
            defaultParallelism: 2,
            properties: { 'state.checkpoints.dir': join(work, 'checkpoints') },
          },
        ],
        resources,
      },
    ],
    edges: [],
    bundle: { artifactId: cluster.artifactId },
    restartStrategy: { kind: 'none' },
    defaultParallelism: 2,
    properties: {},
  };
  const { jobId } = await dispatcherClient(cluster.jobManager.address).submitJob({
    jobGraph: jobGraphToMessage(graph),
    livingPriority: LivingPriority.DRIVER,
    applicationId,
    requestId: '',
    restore: { jobs: [{ jobName: 'counts', path: savepointPath }], allowNonRestoredState: false },
  });
  return jobId;
}

describe('savepoints of a streaming job', () => {
  it('stops with a savepoint (FINISHED, exactly once), restores a new version that continues the counts, and refuses lost state unless allowed', async () => {
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const output = join(work, 'counts');
    await publish(0, BEFORE);
    const first = await startCounts(output, 'counts v1', 'v1');
    await expect.poll(() => committedLines(output).length, { timeout: 60_000, interval: 100 }).toBe(BEFORE * 8);

    const stopped = await dispatcher.triggerSavepoint({
      jobId: first.getJobID(),
      targetDirectory: savepoints,
      stop: true,
    });
    savepointPath = stopped.savepointPath;
    expect(savepointPath.startsWith(join(savepoints, `savepoint-${first.getJobID().slice(0, 8)}-`))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(savepointPath, '_metadata'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'savepoint', jobId: first.getJobID() });
    expect(manifest.checkpointId).toBe(Number(stopped.checkpointId));
    expect(JobStatus[(await dispatcher.getJob({ jobId: first.getJobID() })).job!.status]).toBe('FINISHED');
    // Committed exactly once up to the savepoint, nothing pending left behind.
    expect(committedLines(output)).toEqual(runningCounts(LINES.slice(0, BEFORE)));
    expect(readdirSync(output).filter((name) => name.endsWith('.pending'))).toEqual([]);
    const completions = (await jobEvents(dispatcher, first.getJobID())).flatMap((event) =>
      event.kind?.$case === 'checkpointCompleted' ? [event.kind.checkpointCompleted] : [],
    );
    expect(completions.at(-1)).toMatchObject({ savepoint: true, externalPath: savepointPath });
    expect(completions.at(-1)!.checkpointId).toBe(stopped.checkpointId);
    expect(completions.some((completion) => !completion.savepoint)).toBe(true);
    for (const completion of completions.filter((each) => !each.savepoint))
      expect(completion.externalPath).toBe(
        join(work, 'checkpoints', first.getJobID(), `chk-${completion.checkpointId}`),
      );

    await publish(BEFORE, LINES.length);
    // A version without the keyed counts: their state would be lost.
    await expect(
      startCounts(join(work, 'refused'), 'counts v3', 'noCounts', {
        path: savepointPath,
        allowNonRestoredState: false,
      }),
    ).rejects.toThrow(/does not have: counts;.*allow_non_restored_state/);
    await expect(
      startCounts(join(work, 'missing'), 'counts missing', 'v1', {
        path: join(savepoints, 'no-such-savepoint'),
        allowNonRestoredState: false,
      }),
    ).rejects.toThrow(new RegExp(`savepoint path ${join(savepoints, 'no-such-savepoint')} cannot be read`));

    // A new version that adds a stateless map continues the counts in the same folder.
    const second = await startCounts(output, 'counts v2', 'extraMap', {
      path: savepointPath,
      allowNonRestoredState: false,
    });
    await expect
      .poll(() => committedLines(output).length, { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual(LINES.length * 8);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await second.cancel();
    expect(committedLines(output)).toEqual(runningCounts(LINES));

    // Allowed to skip the counts' state: the source restores its position and reads on from there.
    const skipping = join(work, 'skipping');
    const third = await startCounts(skipping, 'counts v3', 'noCounts', {
      path: savepointPath,
      allowNonRestoredState: true,
    });
    await expect
      .poll(() => committedLines(skipping).length, { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual((LINES.length - BEFORE) * 8);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await third.cancel();
    const words = LINES.slice(BEFORE).flatMap((line) => line.split(' ').map((word) => JSON.stringify([word, 1])));
    expect(committedLines(skipping)).toEqual(words.sort());
  }, 240_000);

  it('in driver mode, the DRIVER job’s restore gives the job main() submits under that name its state', async () => {
    expect(savepointPath).not.toBe('');
    const dispatcher = dispatcherClient(cluster.jobManager.address);
    const output = join(work, 'driver-counts');
    const driverJobId = await submitDriver('app-savepoint-driver', output, 'extraMap');
    // The counts continue from the savepoint: only what came after it is counted, from where it was.
    const before = new Set(runningCounts(LINES.slice(0, BEFORE)));
    const after = runningCounts(LINES).filter((line) => !before.has(line));
    await expect
      .poll(() => committedLines(output).length, { timeout: 90_000, interval: 100 })
      .toBeGreaterThanOrEqual(after.length);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { jobs } = await dispatcher.listJobs({ pageSize: 50, pageToken: '' });
    const counts = jobs.find(
      (job) => job.applicationId === 'app-savepoint-driver' && job.name === `${APPLICATION_NAME}: counts`,
    );
    expect(counts).toBeDefined();
    await dispatcher.cancelJob({ jobId: driverJobId });
    expect(committedLines(output)).toEqual(after);

    // A version without the counts: main()'s executeAsync() throws the refusal, failing the driver.
    const refusedDriver = await submitDriver('app-savepoint-refused', join(work, 'driver-refused'), 'noCounts');
    await expect
      .poll(async () => JobStatus[(await dispatcher.getJob({ jobId: refusedDriver })).job!.status], { timeout: 60_000 })
      .toBe('FAILED');
    expect((await dispatcher.getJob({ jobId: refusedDriver })).job!.failure?.message).toMatch(
      /does not have: counts;.*allow_non_restored_state/,
    );
  }, 180_000);
});
