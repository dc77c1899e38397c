/**
 * Jobs on a real `flotilla jobmanager` process over gRPC, without task executors: submission,
 * summaries, events, results and cancellation of jobs that cannot get slots, and the errors a
 * client gets for unknown jobs and malformed graphs.
 */
import { once } from 'node:events';
import { createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordEncoding } from '../../generated/flotilla/v1/common.js';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
} from '../../generated/flotilla/v1/dispatcher_service.js';
import type { JobEvent } from '../../generated/flotilla/v1/events.js';
import type { JobGraph, RestartStrategy } from '../../generated/flotilla/v1/job_graph.js';
import { RuntimeExecutionMode, ShipStrategy } from '../../generated/flotilla/v1/job_graph.js';
import { ExecutionState, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { startServer, type ServerProcess } from '../support/processes.js';

/** A two-vertex graph whose subtasks ask for 2 cpus and 1024 MB of heap each. */
function graph(name: string, restartStrategy: RestartStrategy): JobGraph {
  const resources = { cpus: 2, heapMemoryMb: 1024, directMemoryMb: 0, nativeMemoryMb: 0 };
  return {
    name,
    vertices: [
      {
        id: 'source',
        name: 'Source: Collection',
        parallelism: 2,
        resources,
        operators: [
          {
            name: 'Source: Collection',
            uid: '',
            operator: {
              $case: 'collectionSource',
              collectionSource: {
                records: { encoding: RecordEncoding.JSON_LINES, count: 2, payload: Buffer.from('1\n2') },
              },
            },
          },
        ],
      },
      {
        id: 'sink',
        name: 'Sink: collect',
        parallelism: 2,
        resources,
        operators: [{ name: 'Sink: collect', uid: '', operator: { $case: 'collectSink', collectSink: {} } }],
      },
    ],
    edges: [
      {
        sourceVertexId: 'source',
        targetVertexId: 'sink',
        shipStrategy: ShipStrategy.REBALANCE,
        keySelector: undefined,
        preAggregate: false,
      },
    ],
    bundle: undefined,
    restartStrategy,
    defaultParallelism: 2,
    properties: {},
    savepoint: undefined,
    runtimeMode: RuntimeExecutionMode.STREAMING,
  };
}

const NO_RESTART: RestartStrategy = { strategy: { $case: 'noRestart', noRestart: {} } };
/** Restarts far apart: the job sits in RESTARTING until it is cancelled. */
const SLOW_RESTARTS: RestartStrategy = {
  strategy: { $case: 'fixedDelay', fixedDelay: { maxAttempts: 100, delayMs: 600_000 } },
};

const submission = (
  jobGraph: JobGraph,
  extra: Partial<{ livingPriority: LivingPriority; applicationId: string; requestId: string }> = {},
) => ({
  jobGraph,
  livingPriority: extra.livingPriority ?? LivingPriority.UNSPECIFIED,
  applicationId: extra.applicationId ?? '',
  requestId: extra.requestId ?? '',
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

const jobStatuses = (events: (JobEvent | undefined)[]) =>
  events.flatMap((event) => (event?.kind?.$case === 'jobStatusChanged' ? [event.kind.jobStatusChanged.status] : []));

describe('DispatcherService of a job manager process', () => {
  let jobmanager: ServerProcess;
  let channel: Channel;
  let client: DispatcherServiceClient;

  beforeAll(async () => {
    jobmanager = await startServer('jobmanager', ['--slot-request-timeout', '300']);
    channel = createChannel(jobmanager.address);
    client = createClient(DispatcherServiceDefinition, channel);
  });

  afterAll(async () => {
    channel?.close();
    // A job still waiting to restart must not keep the process from exiting.
    expect(await jobmanager?.stop()).toBe(0);
  });

  it('fails a job no task executor can run, with a RESOURCE_EXHAUSTED cause naming the resources, and tells it in events, summary and result', async () => {
    const { jobId } = await client.submitJob(
      submission(graph('no slots anywhere', NO_RESTART), { applicationId: 'app-42' }),
    );
    expect(jobId).toMatch(/^job-/);

    const events = (await collect(client.watchJobEvents({ afterSequence: 0n, jobId, follow: true }))).map(
      (response) => response.event,
    );
    expect(jobStatuses(events)).toEqual([JobStatus.CREATED, JobStatus.RUNNING, JobStatus.FAILING, JobStatus.FAILED]);
    expect(events.map((event) => event!.jobSequence)).toEqual([1n, 2n, 3n, 4n]);
    expect(events.map((event) => event!.sequence)).toEqual([1n, 2n, 3n, 4n]);
    expect(events.every((event) => event!.applicationId === 'app-42' && event!.time instanceof Date)).toBe(true);
    const failed = events[3]!.kind;
    expect(failed?.$case === 'jobStatusChanged' && failed.jobStatusChanged).toMatchObject({
      jobId,
      jobName: 'no slots anywhere',
      livingPriority: LivingPriority.NORMAL,
      failure: {
        name: 'ResourceExhaustedError',
        message: expect.stringMatching(
          /^no slot with 2 cpu, 1024 MB heap became free within 300 ms \(0 of 0 slots free\)/,
        ),
      },
    });

    const replay = await collect(client.watchJobEvents({ afterSequence: 2n, jobId: '', follow: false }));
    expect(replay.map((response) => response.event!.sequence)).toEqual([3n, 4n]);

    const parts = await collect(client.requestJobResult({ jobId }));
    expect(parts).toHaveLength(1);
    expect(parts[0].part).toMatchObject({
      $case: 'result',
      result: {
        jobId,
        status: JobStatus.FAILED,
        collectedRecords: 0n,
        failure: { name: 'ResourceExhaustedError', message: expect.stringContaining('2 cpu, 1024 MB heap') },
      },
    });

    const { job } = await client.getJob({ jobId });
    expect(job).toMatchObject({
      id: jobId,
      name: 'no slots anywhere',
      status: JobStatus.FAILED,
      livingPriority: LivingPriority.NORMAL,
      applicationId: 'app-42',
      restarts: 0,
      failure: { name: 'ResourceExhaustedError' },
      taskCounts: [{ state: ExecutionState.CREATED, count: 4 }],
    });
    expect(job!.clusterId).toMatch(/^cluster-/);
    expect(job!.endTime!.getTime()).toBeGreaterThanOrEqual(job!.submitTime!.getTime());
    expect(jobmanager.stderr()).toContain('job \\"no slots anywhere\\" is FAILED');
  });

  it('cancels a job waiting to restart, lists jobs newest first, and counts them in the overview', async () => {
    const { jobId } = await client.submitJob(
      submission(graph('waiting to restart', SLOW_RESTARTS), { livingPriority: LivingPriority.DAEMON }),
    );
    await expect
      .poll(async () => (await client.getJob({ jobId })).job!.status, { timeout: 10_000 })
      .toBe(JobStatus.RESTARTING);

    const { job: cancelling } = await client.cancelJob({ jobId });
    expect(cancelling!.status).toBe(JobStatus.CANCELLING);
    const events = (await collect(client.watchJobEvents({ afterSequence: 0n, jobId, follow: true }))).map(
      (response) => response.event,
    );
    expect(jobStatuses(events)).toEqual([
      JobStatus.CREATED,
      JobStatus.RUNNING,
      JobStatus.FAILING,
      JobStatus.RESTARTING,
      JobStatus.CANCELLING,
      JobStatus.CANCELED,
    ]);
    const sequences = events.map((event) => event!.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
    expect(events.map((event) => event!.jobSequence)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);

    const { job: cancelled } = await client.getJob({ jobId });
    expect(cancelled).toMatchObject({ status: JobStatus.CANCELED, livingPriority: LivingPriority.DAEMON });
    // Cancelling a job that already ended answers it unchanged.
    expect((await client.cancelJob({ jobId })).job).toEqual(cancelled);
    const [result] = await collect(client.requestJobResult({ jobId }));
    expect(result.part).toMatchObject({ $case: 'result', result: { status: JobStatus.CANCELED } });

    const first = await client.listJobs({ pageSize: 1, pageToken: '' });
    expect(first.jobs.map((job) => job.id)).toEqual([jobId]);
    const second = await client.listJobs({ pageSize: 1, pageToken: first.nextPageToken });
    expect(second.jobs.map((job) => job.name)).toEqual(['no slots anywhere']);
    expect(second.nextPageToken).toBe('');

    expect(await client.requestClusterOverview({})).toMatchObject({
      jobsRunning: 0,
      jobsFailed: 1,
      jobsCancelled: 1,
      jobsFinished: 0,
      taskExecutors: 0,
    });
  });

  it('answers the same job for a retried request id, and ALREADY_EXISTS when the id is reused for another graph', async () => {
    const first = await client.submitJob(submission(graph('retried', NO_RESTART), { requestId: 'request-1' }));
    const again = await client.submitJob(submission(graph('retried', NO_RESTART), { requestId: 'request-1' }));
    expect(again.jobId).toBe(first.jobId);
    await expect(
      client.submitJob(submission(graph('another', NO_RESTART), { requestId: 'request-1' })),
    ).rejects.toMatchObject({
      code: Status.ALREADY_EXISTS,
      details: expect.stringContaining(first.jobId),
    });
    await collect(client.requestJobResult({ jobId: first.jobId }));
  });

  it('answers NOT_FOUND naming the id for an unknown job, and INVALID_ARGUMENT for a malformed graph or page token', async () => {
    const notFound = { code: Status.NOT_FOUND, details: expect.stringContaining('job-unknown') };
    await expect(client.getJob({ jobId: 'job-unknown' })).rejects.toMatchObject(notFound);
    await expect(client.cancelJob({ jobId: 'job-unknown' })).rejects.toMatchObject(notFound);
    await expect(collect(client.requestJobResult({ jobId: 'job-unknown' }))).rejects.toMatchObject(notFound);
    await expect(
      collect(client.watchJobEvents({ afterSequence: 0n, jobId: 'job-unknown', follow: true })),
    ).rejects.toMatchObject(notFound);
    await expect(
      collect(client.readJobOutput({ jobId: 'job-unknown', offset: 0n, follow: false })),
    ).rejects.toMatchObject(notFound);

    const empty = { ...graph('empty', NO_RESTART), vertices: [], edges: [] };
    await expect(client.submitJob(submission(empty))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'job_graph has no vertices',
    });
    const zero = graph('zero', NO_RESTART);
    zero.vertices[1].parallelism = 0;
    await expect(client.submitJob(submission(zero))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('vertex 1 ("sink"): parallelism must be 1 to'),
    });
    await expect(
      client.submitJob({ ...submission(graph('g', NO_RESTART)), jobGraph: undefined }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(client.listJobs({ pageSize: 5, pageToken: 'not-a-token' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    await expect(
      collect(client.watchJobEvents({ afterSequence: 1_000_000n, jobId: '', follow: false })),
    ).rejects.toMatchObject({ code: Status.OUT_OF_RANGE });
  });
});

describe('ShutDownCluster', () => {
  it('cancels the running jobs and ends the job manager process', async () => {
    const jobmanager = await startServer('jobmanager', ['--slot-request-timeout', '300']);
    const channel = createChannel(jobmanager.address);
    const client = createClient(DispatcherServiceDefinition, channel);
    await client.submitJob(submission(graph('interrupted', SLOW_RESTARTS)));
    const exited = once(jobmanager.child, 'exit');
    await client.shutDownCluster({ reason: 'test is over' });
    const [code] = (await exited) as [number | null];
    channel.close();
    expect(code).toBe(0);
    expect(jobmanager.stderr()).toContain('shutting down the cluster');
    expect(jobmanager.stderr()).toContain('job \\"interrupted\\" is CANCELED');
  });
});
