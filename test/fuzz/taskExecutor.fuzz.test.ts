/**
 * Fuzzed requests against a real task executor (TaskExecutorService) in a cluster of one job
 * manager: every RPC gets random bytes and hostile messages (test/fuzz/fuzzMethod.ts). Slots the
 * fuzzing allocates and tasks it deploys are real; their ids join the hostile requests. ShutDown
 * comes last: only undecodable bytes while the process must stay up, then one hostile request that
 * must shut it down cleanly.
 */
import { createChannel, createClient } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordEncoding } from '../../generated/flotilla/v1/common.js';
import { ShipStrategy } from '../../generated/flotilla/v1/job_graph.js';
import {
  CancelTaskRequest,
  ExchangeDataRequest,
  FreeSlotRequest,
  HeartbeatRequest,
  RequestSlotRequest,
  RequestSlotResponse,
  SubmitTaskRequest,
  TaskExecutorServiceDefinition,
  type DeepPartial,
  type TaskDeploymentDescriptor,
  type TaskExecutorServiceClient,
} from '../../generated/flotilla/v1/task_executor_service.js';
import { startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { fuzzMethod, type FuzzTarget } from './fuzzMethod.js';
import { patiently } from './fuzzSettings.js';
import { encodePartial, FUZZ_RESOURCES, fuzzTarget, harmlessJobFields, KnownIds } from './fuzzTarget.js';
import { crashSigns, healthOf } from './serverChecks.js';

const SERVICE = 'flotilla.v1.TaskExecutorService';

/** A task the task executor can run in the slot `alloc-fuzz`: a collection through a map into a print sink and a partition. */
function deployment(jobmanagerAddress: string): DeepPartial<TaskDeploymentDescriptor> {
  const records = { encoding: RecordEncoding.JSON_LINES, count: 2, payload: Buffer.from('1\n"two"') };
  return {
    jobId: 'job-fuzz',
    jobName: 'fuzzed job',
    vertexId: 'source',
    vertexName: 'source',
    subtaskIndex: 0,
    parallelism: 1,
    attemptNumber: 0,
    executionAttemptId: 'attempt-fuzz',
    allocationId: 'alloc-fuzz',
    operators: [
      { name: 'collection', operator: { $case: 'collectionSource', collectionSource: { records } } },
      {
        name: 'map',
        operator: {
          $case: 'map',
          map: { function: { source: '(x) => x', module: '', line: 1, boundValuesJson: '{}' } },
        },
      },
      { name: 'print', operator: { $case: 'printSink', printSink: { prefix: 'fuzz' } } },
    ],
    inputs: [],
    outputs: [
      {
        partitionId: 'attempt-fuzz/sink',
        targetVertexId: 'sink',
        shipStrategy: ShipStrategy.FORWARD,
        subpartitions: 1,
      },
    ],
    resources: FUZZ_RESOURCES,
    jobmanagerAddress,
  };
}

describe('TaskExecutorService under fuzzed requests', () => {
  const ids = new KnownIds();
  let jobManager: ServerProcess;
  let taskExecutor: ServerProcess;
  let client: TaskExecutorServiceClient;
  let target: FuzzTarget;

  beforeAll(async () => {
    jobManager = await startServer('jobmanager', ['--state-dir', tempDir('flotilla-fuzz-jm-')]);
    taskExecutor = await startServer('taskexecutor', [
      '--jobmanager',
      jobManager.address,
      '--slots',
      '2',
      '--state-dir',
      tempDir('flotilla-fuzz-te-'),
    ]);
    const channel = createChannel(taskExecutor.address);
    client = createClient(TaskExecutorServiceDefinition, channel);
    const offered = await client.offerSlots({});
    ids.add(offered.taskExecutorId, 'job-fuzz', 'attempt-fuzz', 'attempt-fuzz/sink');
    // The slot the valid deployments name; the fuzzing may free it, then they are refused.
    ids.add(
      (
        await client.requestSlot({
          slotIndex: 1,
          jobId: 'job-fuzz',
          allocationId: 'alloc-fuzz',
          resources: FUZZ_RESOURCES,
        })
      ).slot!.allocationId,
    );
    target = fuzzTarget(
      taskExecutor.address,
      SERVICE,
      TaskExecutorServiceDefinition,
      ids,
      harmlessJobFields(tempDir('flotilla-fuzz-scratch-')),
    );
    return () => channel.close();
  });

  /** Cancels whatever a fuzzed deployment started, so no fuzzed task keeps a worker busy. */
  const cancelRunningTasks = async () => {
    const { runningExecutionAttemptIds } = await client.heartbeat({ clusterId: '' }, patiently());
    ids.add(...runningExecutionAttemptIds);
    await Promise.all(
      runningExecutionAttemptIds.map((executionAttemptId) => client.cancelTask({ executionAttemptId }, patiently())),
    );
  };

  it('OfferSlots', async () => {
    await fuzzMethod(target, 'OfferSlots');
  });

  it('RequestSlot, whose allocations join the ids', async () => {
    await fuzzMethod(target, 'RequestSlot', {
      validRequests: () => [
        encodePartial(RequestSlotRequest, {
          slotIndex: -1,
          jobId: 'job-other',
          allocationId: 'alloc-other',
          resources: FUZZ_RESOURCES,
        }),
      ],
      afterCall: async (outcome) => {
        if (outcome.code !== Status.OK) return;
        const { slot } = RequestSlotResponse.decode(outcome.responses[0]);
        ids.add(slot?.allocationId ?? '', slot?.jobId ?? '');
      },
    });
  });

  it('SubmitTask, whose accepted tasks are cancelled at once', async () => {
    await fuzzMethod(target, 'SubmitTask', {
      messageRuns: 40,
      validRequests: () => [encodePartial(SubmitTaskRequest, { task: deployment(jobManager.address) })],
      afterCall: cancelRunningTasks,
    });
  });

  it('CancelTask', async () => {
    await fuzzMethod(target, 'CancelTask', {
      validRequests: () => [encodePartial(CancelTaskRequest, { executionAttemptId: 'attempt-fuzz' })],
    });
  });

  it('FreeSlot', async () => {
    await fuzzMethod(target, 'FreeSlot', {
      validRequests: () => [encodePartial(FreeSlotRequest, { allocationId: 'alloc-other', reason: 'fuzzing' })],
    });
  });

  it('ExchangeData (bidi stream)', async () => {
    const partitionRequest = {
      partitionId: 'attempt-fuzz/sink',
      subpartitionIndex: 0,
      consumerExecutionAttemptId: 'attempt-consumer',
      initialCredit: 2,
    };
    await fuzzMethod(target, 'ExchangeData', {
      validRequests: () => [
        encodePartial(ExchangeDataRequest, { message: { $case: 'partitionRequest', partitionRequest } }),
        encodePartial(ExchangeDataRequest, { message: { $case: 'addCredit', addCredit: { credit: 3 } } }),
      ],
    });
  });

  it('Heartbeat', async () => {
    await fuzzMethod(target, 'Heartbeat', {
      validRequests: () => [encodePartial(HeartbeatRequest, { clusterId: 'cluster-fuzz' })],
    });
  });

  it('is still serving with a clean log, and its job manager too', async () => {
    expect(await healthOf(taskExecutor, SERVICE)).toBe('SERVING');
    expect((await client.offerSlots({}, patiently())).slots).toHaveLength(2);
    expect(crashSigns(taskExecutor.stderr())).toEqual([]);
    expect(await healthOf(jobManager, 'flotilla.v1.DispatcherService')).toBe('SERVING');
    expect(crashSigns(jobManager.stderr())).toEqual([]);
  });

  it('ShutDown: undecodable bytes leave it up, a hostile but valid request shuts it down cleanly', async () => {
    await fuzzMethod(target, 'ShutDown', { undecodableBytesOnly: true, messageRuns: 0 });
    expect(await healthOf(taskExecutor, SERVICE)).toBe('SERVING');
    const exited = new Promise<number | null>((resolve) => taskExecutor.child.once('exit', resolve));
    await client.shutDown({ reason: '../../etc/passwd\n名前 🚀 '.repeat(10_000) }, patiently());
    expect(await exited).toBe(0);
    expect(crashSigns(taskExecutor.stderr())).toEqual([]);
  });
});
