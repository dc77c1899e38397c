/**
 * DispatcherService over a real gRPC server on loopback, with the real resource manager and
 * Dispatcher; the task executors are gateways that "run" tasks by calling the service back over
 * gRPC, as a task executor does.
 */
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import type { JobEvent } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import { ResourceManager } from '../../resourcemanager/ResourceManager.js';
import type { TaskExecutorGateway } from '../../runtime/TaskExecutorGateway.js';
import { jobGraphToMessage } from '../../runtime/service/jobGraph.js';
import { decodeRecords, encodeRecords } from '../../rpc/convert/records.js';
import { startServerHost, type ServerHost } from '../../rpc/serverHost.js';
import { Dispatcher } from '../Dispatcher.js';
import { COLLECTED_BATCH_LIMITS, dispatcherService, encodeInBatches } from './dispatcherService.js';
import { collectGraph, driverGraph, SINK } from '../testing/testDispatcher.js';
import { NotImplementedError } from '../../common/errors.js';

/** These tests store no artifacts: the blob server's RPCs answer UNIMPLEMENTED. */
const NO_BLOB_SERVER = {
  uploadArtifact: async (): Promise<never> => {
    throw new NotImplementedError('this test serves no blob server');
  },
  async *downloadArtifact(): AsyncGenerator<never> {
    throw new NotImplementedError('this test serves no blob server');
  },
};

const logger = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A task executor's gateway whose tasks report back through `client`; sinks collect `recordsPerSink` records. */
function reportingGateway(
  taskExecutorId: string,
  client: () => DispatcherServiceClient,
  recordsPerSink: number,
  shutDowns: string[],
): TaskExecutorGateway {
  const tasks = new Map<string, TaskDeploymentDescriptor>();
  const report = (task: TaskDeploymentDescriptor, state: ExecutionState) =>
    client().updateTaskExecutionState({
      taskExecutorId,
      jobId: task.jobId,
      executionAttemptId: task.executionAttemptId,
      state,
      failure: undefined,
    });
  return {
    requestSlot: async (request) => ({
      slotIndex: request.slotIndex,
      resources: request.resources,
      allocationId: request.allocationId,
      jobId: request.jobId,
    }),
    freeSlot: async () => undefined,
    triggerCheckpoint: async () => false,
    confirmCheckpoint: async () => undefined,
    submitTask: async (task) => {
      tasks.set(task.executionAttemptId, task);
      void (async () => {
        await report(task, ExecutionState.INITIALIZING);
        await report(task, ExecutionState.RUNNING);
        if (task.vertexId === SINK) {
          const records = Array.from({ length: recordsPerSink }, (_, index) => ({ subtask: task.subtaskIndex, index }));
          await client().reportCollectedRecords({
            jobId: task.jobId,
            executionAttemptId: task.executionAttemptId,
            records: encodeRecords(records),
          });
          await client().reportTaskOutput({
            jobId: task.jobId,
            executionAttemptId: task.executionAttemptId,
            stream: LogStream.STDOUT,
            data: Buffer.from(`sink ${task.subtaskIndex} done\n`),
          });
        }
        await report(task, ExecutionState.FINISHED);
      })();
    },
    cancelTask: async (executionAttemptId) => {
      void report(tasks.get(executionAttemptId)!, ExecutionState.CANCELED);
    },
    shutDown: async (reason) => void shutDowns.push(reason),
    close: () => undefined,
  };
}

async function startCluster({ recordsPerSink = 0 } = {}) {
  let client: DispatcherServiceClient | undefined;
  const teShutDowns: string[] = [];
  const onShutDown: string[] = [];
  const resourceManager = new ResourceManager({
    clusterId: 'cluster-rpc',
    heartbeatIntervalMs: 1000,
    heartbeatTimeoutMs: 60_000,
    slotRequestTimeoutMs: 5000,
    connect: () => reportingGateway('te-1', () => client!, recordsPerSink, teShutDowns),
    logger,
  });
  let address = '';
  const dispatcher = new Dispatcher({
    clusterId: 'cluster-rpc',
    jobmanagerAddress: () => address,
    resources: resourceManager,
    logger,
    onShutDown: (reason) => void onShutDown.push(reason),
  });
  const host: ServerHost = await startServerHost({
    listen: { host: '127.0.0.1', port: 0 },
    logger,
    services: [
      dispatcherService({ clusterId: 'cluster-rpc', resourceManager, dispatcher, blobServer: NO_BLOB_SERVER }),
    ],
  });
  address = host.address;
  const channel: Channel = createChannel(address);
  client = createClient(DispatcherServiceDefinition, channel);
  cleanups.push(
    () => host.shutdown(),
    () => resourceManager.close(),
    () => channel.close(),
  );
  const slot = (slotIndex: number) => ({
    slotIndex,
    resources: { cpus: 1, heapMemoryMb: 512, directMemoryMb: 0, nativeMemoryMb: 0 },
    allocationId: '',
    jobId: '',
  });
  await client.registerTaskExecutor({
    taskExecutorId: 'te-1',
    address: 'te-1.test:6121',
    slots: [slot(0), slot(1)],
    pid: 1,
    hostname: 'localhost',
  });
  return { client, dispatcher, teShutDowns, onShutDown };
}

describe('DispatcherService', () => {
  it('runs a submitted job and streams its collected records in bounded batches, then the result', async () => {
    const { client } = await startCluster({ recordsPerSink: 1250 });
    const { jobId } = await client.submitJob({
      jobGraph: jobGraphToMessage(collectGraph('batched')),
      livingPriority: LivingPriority.UNSPECIFIED,
      applicationId: '',
      requestId: '',
    });

    const parts = [];
    for await (const response of client.requestJobResult({ jobId })) parts.push(response.part);
    const collected = parts.flatMap((part) => (part?.$case === 'collected' ? [part.collected] : []));
    expect(collected.map((batch) => [batch.vertexId, batch.records!.count])).toEqual([
      [SINK, 1000],
      [SINK, 1000],
      [SINK, 500],
    ]);
    const records = collected.flatMap((batch) => decodeRecords(batch.records));
    expect(records.slice(1249, 1251)).toEqual([
      { subtask: 0, index: 1249 },
      { subtask: 1, index: 0 },
    ]);
    expect(parts.at(-1)).toMatchObject({
      $case: 'result',
      result: { jobId, status: JobStatus.FINISHED, collectedRecords: 2500n, failure: undefined },
    });
    expect(parts.filter((part) => part?.$case === 'records')).toEqual([]);

    const { job } = await client.getJob({ jobId });
    expect(job).toMatchObject({
      id: jobId,
      name: 'batched',
      status: JobStatus.FINISHED,
      livingPriority: LivingPriority.NORMAL,
      clusterId: 'cluster-rpc',
      taskCounts: [{ state: ExecutionState.FINISHED, count: 4 }],
    });
    expect(job!.endTime).toBeInstanceOf(Date);

    const output = [];
    for await (const chunk of client.readJobOutput({ jobId, offset: 0n, follow: true })) output.push(chunk);
    expect(output.map((chunk) => chunk.data.toString()).sort()).toEqual(['sink 0 done\n', 'sink 1 done\n']);
    expect(output.map((chunk) => chunk.nextOffset)).toEqual([12n, 24n]);
    expect((await client.requestClusterOverview({})).jobsFinished).toBe(1);
  });

  it('answers reports of unknown attempts as not accepted, and tells a heartbeat which attempts to cancel', async () => {
    const { client } = await startCluster();
    const { jobId } = await client.submitJob({
      jobGraph: jobGraphToMessage(collectGraph('reports')),
      livingPriority: LivingPriority.DAEMON,
      applicationId: 'app-1',
      requestId: 'r-1',
    });
    expect(
      (
        await client.submitJob({
          jobGraph: jobGraphToMessage(collectGraph('reports')),
          livingPriority: LivingPriority.DAEMON,
          applicationId: 'app-1',
          requestId: 'r-1',
        })
      ).jobId,
    ).toBe(jobId);
    await expect(
      client.submitJob({
        jobGraph: jobGraphToMessage(collectGraph('other')),
        livingPriority: LivingPriority.DAEMON,
        applicationId: 'app-1',
        requestId: 'r-1',
      }),
    ).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    expect(
      (
        await client.updateTaskExecutionState({
          taskExecutorId: 'te-1',
          jobId,
          executionAttemptId: 'attempt-ghost',
          state: ExecutionState.RUNNING,
          failure: undefined,
        })
      ).accepted,
    ).toBe(false);
    expect(
      (await client.reportCollectedRecords({ jobId, executionAttemptId: 'attempt-ghost', records: encodeRecords([1]) }))
        .accepted,
    ).toBe(false);
    const heartbeat = await client.heartbeatFromTaskExecutor({
      taskExecutorId: 'te-1',
      slots: [],
      runningExecutionAttemptIds: ['attempt-ghost'],
    });
    expect(heartbeat).toEqual({ registered: true, unknownExecutionAttemptIds: ['attempt-ghost'] });
    await expect(
      client.updateTaskExecutionState({
        taskExecutorId: 'te-1',
        jobId,
        executionAttemptId: 'a',
        state: ExecutionState.UNSPECIFIED,
        failure: undefined,
      }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    await expect(
      client.reportTaskOutput({
        jobId,
        executionAttemptId: 'a',
        stream: LogStream.UNSPECIFIED,
        data: Buffer.from('x\n'),
      }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('runs a driver job as an application: every event carries the application id, the application’s status among them', async () => {
    const { client } = await startCluster();
    const submit = (livingPriority: LivingPriority, applicationId: string) =>
      client.submitJob({
        jobGraph: jobGraphToMessage(driverGraph('app-9')),
        livingPriority,
        applicationId,
        requestId: '',
      });
    await expect(submit(LivingPriority.DRIVER, '')).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    const { jobId } = await submit(LivingPriority.DRIVER, 'app-9');
    const events: JobEvent[] = [];
    for await (const { event } of client.watchJobEvents({ afterSequence: 0n, jobId, follow: true }))
      events.push(event!);
    expect(events.every((event) => event.applicationId === 'app-9')).toBe(true);
    const changes = events.flatMap((event) =>
      event.kind?.$case === 'applicationStatusChanged' ? [event.kind.applicationStatusChanged] : [],
    );
    expect(changes.map((change) => change.status)).toEqual([ApplicationStatus.RUNNING, ApplicationStatus.FINISHED]);
    expect(changes[1]).toEqual({
      status: ApplicationStatus.FINISHED,
      failure: undefined,
      message: 'main() returned and every job of the application ended (it submitted no jobs)',
    });
    await expect(submit(LivingPriority.NORMAL, 'app-9')).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: 'application app-9 is FINISHED and accepts no more jobs',
    });
  });

  it('releases a followed watch when its client goes away, and shuts the cluster down', async () => {
    const { client, dispatcher, teShutDowns, onShutDown } = await startCluster();
    const { jobId } = await client.submitJob({
      jobGraph: jobGraphToMessage(collectGraph('watched')),
      livingPriority: LivingPriority.NORMAL,
      applicationId: '',
      requestId: '',
    });
    const controller = new AbortController();
    const received: Array<JobEvent | undefined> = [];
    const watching = (async () => {
      for await (const { event } of client.watchJobEvents(
        { afterSequence: 0n, jobId: '', follow: true },
        { signal: controller.signal },
      ))
        received.push(event);
    })().catch((error: unknown) => error);
    await client.requestJobResult({ jobId })[Symbol.asyncIterator]().next();
    await expect.poll(() => dispatcher.waitingEventWatchers).toBe(1);
    controller.abort();
    expect(await watching).toMatchObject({ name: 'AbortError' });
    await expect.poll(() => dispatcher.waitingEventWatchers).toBe(0);
    expect(received.map((event) => event!.sequence)).toEqual(
      Array.from({ length: received.length }, (_, index) => BigInt(index + 1)),
    );

    await client.shutDownCluster({ reason: 'test over' });
    expect(teShutDowns).toEqual(['test over']);
    await expect.poll(() => onShutDown).toEqual(['test over']);
    const refused = await client
      .submitJob({
        jobGraph: jobGraphToMessage(collectGraph('late')),
        livingPriority: LivingPriority.NORMAL,
        applicationId: '',
        requestId: '',
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).toMatchObject({ code: Status.UNAVAILABLE });
  });
});

describe('encodeInBatches', () => {
  it('keeps batches near the byte bound, and sends a record larger than it alone', () => {
    const big = 'x'.repeat(300 * 1024);
    const batches = [...encodeInBatches([big, big, big, big, big, 'x'.repeat(2 * 1024 * 1024)])];
    expect(
      batches.every((batch) => batch.payload.byteLength <= COLLECTED_BATCH_LIMITS.maxBytes || batch.count === 1),
    ).toBe(true);
    expect(batches.map((batch) => batch.count).reduce((a, b) => a + b)).toBe(6);
    expect(batches.flatMap((batch) => decodeRecords(batch)).map((record) => (record as string).length)).toEqual([
      ...Array(5).fill(300 * 1024),
      2 * 1024 * 1024,
    ]);
    expect([...encodeInBatches([])]).toEqual([]);
  });
});
