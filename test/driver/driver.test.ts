/**
 * Driver mode (FLIP-40) on a cluster of real processes: a job manager and two task executors, the
 * driver job submitted as the control plane submits it (DispatcherService.SubmitJob with living
 * priority DRIVER), its `main()` run from a real bundle in a task executor slot, and the
 * application's end read from the cluster's job events as the control plane reads them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatcherServiceClient } from '../../generated/flotilla/v1/dispatcher_service.js';
import type { JobEvent } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ExecutionState, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBundle } from '../../src/client/bundlePacker.js';
import type { JobGraph } from '../../src/jobgraph/jobGraph.js';
import { jobGraphToMessage } from '../../src/runtime/service/jobGraph.js';
import { grpcBlobGateway } from '../../src/blob/service/grpcBlobGateway.js';
import { partLines } from '../support/applicationOutcome.js';
import { dispatcherClient } from '../support/cluster.js';
import { ROOT, startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

const APP_BUNDLE = join(ROOT, 'test/driver/fixtures/app');
const work = tempDir();
let jobManager: ServerProcess;
const taskExecutors: ServerProcess[] = [];
let artifactId: string;
let client: DispatcherServiceClient;

beforeAll(async () => {
  jobManager = await startServer('jobmanager', ['--heartbeat-interval', '500', '--heartbeat-timeout', '10000']);
  const taskExecutorArgs = [
    '--jobmanager',
    jobManager.address,
    '--slots',
    '2',
    '--cpus',
    '4',
    '--memory',
    '4096',
    '--task-cancellation-timeout',
    '1000',
  ];
  taskExecutors.push(
    ...(await Promise.all([
      startServer('taskexecutor', taskExecutorArgs),
      startServer('taskexecutor', taskExecutorArgs),
    ])),
  );
  client = dispatcherClient(jobManager.address);
  // Both task executors registered, so the driver can land on either.
  while ((await client.requestClusterOverview({})).taskExecutors < 2)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const packed = await packBundle(APP_BUNDLE);
  const blobs = grpcBlobGateway(jobManager.address);
  ({ artifactId } = await blobs.upload({ file: packed.file, fileName: packed.fileName }));
  blobs.close();
  packed.cleanup();
}, 120_000);

afterAll(async () => {
  await Promise.all(taskExecutors.map((taskExecutor) => taskExecutor.stop('SIGKILL')));
  await jobManager?.stop();
});

let applications = 0;

/** Submits an application's driver job, exactly as the control plane builds it; resolves with the ids. */
async function submitDriver(
  entry: string,
  args: string[],
  heapMemoryMb = 256,
  properties: Record<string, string> = {},
) {
  const applicationId = `app-driver-test-${++applications}`;
  const applicationName = `daily report ${applications}`;
  const resources = { cpus: 1, heapMemoryMb, directMemoryMb: 64, nativeMemoryMb: 64 };
  const graph: JobGraph = {
    name: `${applicationName}: driver`,
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
            applicationName,
            entry,
            args,
            resources,
            defaultParallelism: 2,
            properties,
          },
        ],
        resources,
      },
    ],
    edges: [],
    bundle: { artifactId },
    restartStrategy: { kind: 'none' },
    defaultParallelism: 2,
    properties: {},
  };
  const { jobId } = await client.submitJob({
    jobGraph: jobGraphToMessage(graph),
    livingPriority: LivingPriority.DRIVER,
    applicationId,
    requestId: '',
  });
  return { applicationId, applicationName, driverJobId: jobId, ended: applicationEvents(applicationId) };
}

/** The events of one application, followed cluster-wide (as the control plane follows them) until its terminal status. */
async function applicationEvents(applicationId: string): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const { event } of client.watchJobEvents(
    { afterSequence: 0n, jobId: '', follow: true },
    { signal: AbortSignal.timeout(120_000) },
  )) {
    if (event?.applicationId !== applicationId) continue;
    events.push(event);
    const status =
      event.kind?.$case === 'applicationStatusChanged' ? event.kind.applicationStatusChanged.status : undefined;
    if (
      status === ApplicationStatus.FINISHED ||
      status === ApplicationStatus.FAILED ||
      status === ApplicationStatus.CANCELED
    )
      return events;
  }
  throw new Error(`the event stream ended before application ${applicationId} did`);
}

/** The application status changes among `events`. */
function applicationChanges(events: JobEvent[]) {
  return events.flatMap((event) =>
    event.kind?.$case === 'applicationStatusChanged'
      ? [{ sequence: event.sequence, ...event.kind.applicationStatusChanged }]
      : [],
  );
}

/** The sequence of the event in which job `jobId` reached `status`. */
function sequenceOf(events: JobEvent[], jobId: string, status: JobStatus): bigint {
  const found = events.find(
    (event) =>
      event.kind?.$case === 'jobStatusChanged' &&
      event.kind.jobStatusChanged.jobId === jobId &&
      event.kind.jobStatusChanged.status === status,
  );
  if (!found) throw new Error(`job ${jobId} never was ${JobStatus[status]}`);
  return found.sequence;
}

/** The application's jobs, oldest first. */
async function jobsOf(applicationId: string) {
  const { jobs } = await client.listJobs({ pageSize: 1000, pageToken: '' });
  return jobs.filter((job) => job.applicationId === applicationId).reverse();
}

/** The job of the application whose name ends in `: suffix`, once it exists and its tasks all run. */
async function runningJob(applicationId: string, suffix: string) {
  let jobId = '';
  await expect
    .poll(
      async () => {
        const job = (await jobsOf(applicationId)).find((candidate) => candidate.name.endsWith(`: ${suffix}`));
        jobId = job?.id ?? '';
        return job?.taskCounts.every((count) => count.state === ExecutionState.RUNNING) && job.taskCounts.length > 0;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return jobId;
}

/** What a job wrote to one stream, read with ReadJobOutput. */
async function outputOf(jobId: string, stream: 'STDOUT' | 'STDERR'): Promise<string> {
  let text = '';
  for await (const chunk of client.readJobOutput({ jobId, offset: 0n, follow: true }))
    if (chunk.stream === (stream === 'STDOUT' ? 1 : 2)) text += chunk.data.toString();
  return text;
}

/** The task executor process that ran the driver job's task. */
async function driverHost(driverJobId: string): Promise<ServerProcess> {
  const events: JobEvent[] = [];
  for await (const { event } of client.watchJobEvents({ afterSequence: 0n, jobId: driverJobId, follow: false }))
    events.push(event!);
  const running = events.find(
    (event) => event.kind?.$case === 'taskStateChanged' && event.kind.taskStateChanged.state === ExecutionState.RUNNING,
  );
  const taskExecutorId =
    running?.kind?.$case === 'taskStateChanged' ? running.kind.taskStateChanged.taskExecutorId : '';
  const overview = await client.requestClusterOverview({});
  const pid = overview.taskExecutorInfos.find((info) => info.id === taskExecutorId)?.pid;
  const host = taskExecutors.find((taskExecutor) => taskExecutor.child.pid === pid);
  if (!host) throw new Error(`no task executor process runs ${taskExecutorId} (pid ${pid})`);
  return host;
}

describe('driver mode', () => {
  it('runs main() with two jobs; the application FINISHES only after the job main() left running, with the driver’s output kept', async () => {
    const output = join(work, 'lines');
    const release = join(work, 'release-lines');
    const app = await submitDriver('main.mjs#main', [output, release]);
    const lines = await runningJob(app.applicationId, 'lines');

    // main() returned (the driver job FINISHED) while "lines" waits: the application stays RUNNING.
    await expect
      .poll(async () => (await client.getJob({ jobId: app.driverJobId })).job?.status, { timeout: 60_000 })
      .toBe(JobStatus.FINISHED);
    expect((await client.getJob({ jobId: lines })).job?.status).toBe(JobStatus.RUNNING);
    writeFileSync(release, '');
    const events = await app.ended;

    const changes = applicationChanges(events);
    expect(changes.map((change) => ApplicationStatus[change.status])).toEqual(['RUNNING', 'FINISHED']);
    expect(changes[1]).toMatchObject({
      failure: undefined,
      message: 'main() returned and every job of the application ended (jobs: 2 FINISHED)',
    });
    const jobs = await jobsOf(app.applicationId);
    expect(jobs.map((job) => [job.name, LivingPriority[job.livingPriority], JobStatus[job.status]])).toEqual([
      [`${app.applicationName}: driver`, 'DRIVER', 'FINISHED'],
      [`${app.applicationName}: squares`, 'NORMAL', 'FINISHED'],
      [`${app.applicationName}: lines`, 'NORMAL', 'FINISHED'],
    ]);
    // The driver ended before "lines", and the application only after both of its jobs.
    expect(sequenceOf(events, app.driverJobId, JobStatus.FINISHED)).toBeLessThan(
      sequenceOf(events, lines, JobStatus.FINISHED),
    );
    for (const job of jobs) expect(changes[1].sequence).toBeGreaterThan(sequenceOf(events, job.id, JobStatus.FINISHED));
    // Every job event of the application's jobs carries its id (the watch above kept only those).
    expect(
      new Set(
        events.map((event) =>
          event.kind?.$case === 'applicationStatusChanged'
            ? app.driverJobId
            : event.kind?.$case === 'jobStatusChanged'
              ? event.kind.jobStatusChanged.jobId
              : event.kind?.$case === 'taskStateChanged'
                ? event.kind.taskStateChanged.jobId
                : undefined,
        ),
      ),
    ).toEqual(new Set(jobs.map((job) => job.id)));

    expect(partLines(output).sort()).toEqual(Array.from({ length: 100 }, (_, index) => `line ${index + 1}`).sort());
    const squares = 'squares: 1 4 9 16 25 36 49 64 81 100\n';
    expect(await outputOf(app.driverJobId, 'STDOUT')).toBe(`main() of 2 arguments starts\n${squares}`);
    expect(await outputOf(app.driverJobId, 'STDERR')).toBe(`submitted ${lines}; main() returns\n`);
    expect((await driverHost(app.driverJobId)).stdout()).toContain(squares);
  }, 180_000);

  it('fails the application with the error main() threw, after cancelling the job it had started', async () => {
    const app = await submitDriver('main.mjs#startsThenThrows', [join(work, 'never-released-1')]);
    const events = await app.ended;

    const [driver, waits] = await jobsOf(app.applicationId);
    expect([driver.name, waits.name]).toEqual([`${app.applicationName}: driver`, `${app.applicationName}: waits`]);
    expect([JobStatus[driver.status], JobStatus[waits.status]]).toEqual(['FAILED', 'CANCELED']);
    const changes = applicationChanges(events);
    expect(changes.map((change) => ApplicationStatus[change.status])).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    const message = `the input for 2024-05-01 is missing (after starting a job that waits for ${join(work, 'never-released-1')})`;
    expect(changes[2].failure).toMatchObject({ name: 'Error', message });
    expect(changes[2].failure!.stack).toMatch(/at startsThenThrows \(file:\/\/.*main\.mjs:\d+:\d+\)/);
    expect(changes[2].message).toBe(`the driver failed: Error: ${message}`);
    expect(changes[2].sequence).toBeGreaterThan(sequenceOf(events, waits.id, JobStatus.CANCELED));
    expect(await outputOf(driver.id, 'STDOUT')).toBe(`started ${waits.id}\n`);
  }, 180_000);

  it('gives main()’s environment the runtime mode of -Dexecution.runtime-mode; without it, bounded jobs run in BATCH', async () => {
    const streaming = await submitDriver('main.mjs#countsInMode', [], 256, { 'execution.runtime-mode': 'streaming' });
    await streaming.ended;
    expect(await outputOf(streaming.driverJobId, 'STDOUT')).toBe('mode STREAMING: [["a",1],["a",2],["a",3],["b",1]]\n');
    const automatic = await submitDriver('main.mjs#countsInMode', []);
    await automatic.ended;
    expect(await outputOf(automatic.driverJobId, 'STDOUT')).toBe('mode AUTOMATIC: [["a",3],["b",1]]\n');
  }, 180_000);

  it('fails a driver that allocates past its heap limit, naming the limit', async () => {
    const app = await submitDriver('main.mjs#hogsHeap', [], 64);
    const changes = applicationChanges(await app.ended);
    expect(changes.map((change) => ApplicationStatus[change.status])).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    expect(changes[2].failure).toMatchObject({
      name: 'DriverMemoryLimitError',
      message: 'the driver ran out of heap memory: its limit is 64 MiB (--driver-heap-memory)',
    });
    expect(await outputOf(app.driverJobId, 'STDOUT')).toBe('allocating\n');
  }, 180_000);

  it('cancels the application when the driver job is cancelled with CancelJob: every job CANCELED, then the application', async () => {
    const app = await submitDriver('main.mjs#startsThenWaits', [join(work, 'never-released-2')]);
    const waits = await runningJob(app.applicationId, 'waits');
    await client.cancelJob({ jobId: app.driverJobId });
    const events = await app.ended;

    const changes = applicationChanges(events);
    expect(changes.map((change) => ApplicationStatus[change.status])).toEqual(['RUNNING', 'CANCELING', 'CANCELED']);
    expect(changes[2]).toMatchObject({ failure: undefined, message: 'the application was cancelled' });
    for (const jobId of [app.driverJobId, waits]) {
      expect((await client.getJob({ jobId })).job?.status).toBe(JobStatus.CANCELED);
      expect(changes[2].sequence).toBeGreaterThan(sequenceOf(events, jobId, JobStatus.CANCELED));
    }
  }, 180_000);

  it('fails the application with a DriverLostError when the driver’s task executor is killed, cancelling its other jobs', async () => {
    const app = await submitDriver('main.mjs#startsThenWaits', [join(work, 'never-released-3')]);
    const waits = await runningJob(app.applicationId, 'waits');
    const host = await driverHost(app.driverJobId);
    await host.stop('SIGKILL');
    const events = await app.ended;

    const changes = applicationChanges(events);
    expect(changes.map((change) => ApplicationStatus[change.status])).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    const failure = changes[2].failure!;
    expect(failure.name).toBe('DriverLostError');
    expect(failure.message).toMatch(
      /^the driver was lost: task executor te-[0-9a-f]+ was lost: no heartbeat for \d+ ms \(heartbeat timeout 10000 ms\)$/,
    );
    expect(failure.cause).toMatchObject({
      name: 'TaskExecutorLostError',
      message: failure.message.replace('the driver was lost: ', ''),
    });
    expect((await client.getJob({ jobId: waits })).job?.status).toBe(JobStatus.CANCELED);
    expect(changes[2].sequence).toBeGreaterThan(sequenceOf(events, waits, JobStatus.CANCELED));
    expect(existsSync(join(work, 'never-released-3'))).toBe(false);
  }, 180_000);
});
