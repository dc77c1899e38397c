import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import type { SlotAssignment } from '../resourcemanager/ResourceManager.js';
import type { Execution } from './Execution.js';
import { JobMaster, type JobMasterOptions } from './JobMaster.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';

/** A deployer's checkpoint calls, for jobs that take no checkpoints. */
const NO_CHECKPOINTS = { triggerCheckpoint: async () => false, confirmCheckpoint: async () => undefined };

const fn = { source: 'x => x', module: 'main.js', line: 1, boundValuesJson: '{}' };

/** Source (parallelism 2) -> hash -> keyed sum + print (parallelism 2) -> forward is implied inside vertices. */
function wordCountGraph(
  restartStrategy: JobGraph['restartStrategy'] = { kind: 'fixedDelay', maxAttempts: 1, delayMs: 10 },
): JobGraph {
  return {
    name: 'word count',
    defaultParallelism: 2,
    properties: {},
    restartStrategy,
    vertices: [
      {
        id: 'vertex-1',
        name: 'Source: Sequence -> Map',
        parallelism: 2,
        operators: [{ name: 'Source', kind: 'sequenceSource', from: 1, to: 10 }],
      },
      {
        id: 'vertex-2',
        name: 'Keyed Aggregation -> Sink: Print',
        parallelism: 2,
        operators: [{ name: 'Sum', kind: 'sum', field: '1' }],
      },
    ],
    edges: [{ sourceVertexId: 'vertex-1', targetVertexId: 'vertex-2', shipStrategy: 'hash', keySelector: fn }],
  };
}

/** A job master of job-1 (the word count graph unless given) that logs nothing and reports to no one unless told. */
function jobMaster(options: Pick<JobMasterOptions, 'slots' | 'deployer'> & Partial<JobMasterOptions>): JobMaster {
  return new JobMaster({
    jobId: 'job-1',
    jobGraph: wordCountGraph(),
    applicationId: '',
    jobmanagerAddress: 'jm:1',
    logger: pino({ level: 'silent' }),
    listener: { jobStatusChanged: () => undefined, taskStateChanged: () => undefined },
    ...options,
  });
}

/**
 * A cluster of two task executors with two slots each, simulated in memory: deployed tasks report
 * INITIALIZING, RUNNING and then whatever `behaviour` decides.
 */
function harness(
  graph: JobGraph,
  behaviour: (task: TaskDeploymentDescriptor) => 'finish' | 'fail' | 'hang' | 'cancel' = () => 'finish',
) {
  const statuses: JobStatus[] = [];
  const taskEvents: Execution[] = [];
  const deployed: TaskDeploymentDescriptor[] = [];
  const freed: string[] = [];
  const requested: SlotAssignment[] = [];
  let next = 0;
  const master: JobMaster = jobMaster({
    jobGraph: graph,
    cancellationTimeoutMs: 500,
    listener: {
      jobStatusChanged: (status) => statuses.push(status),
      taskStateChanged: (execution) => void taskEvents.push(execution),
    },
    slots: {
      requestSlot: async (jobId) => {
        const index = next++;
        const slot = {
          allocationId: `alloc-${index}`,
          taskExecutorId: `te-${index % 2}`,
          address: `te-${index % 2}:1`,
          slotIndex: index,
          jobId,
        };
        requested.push(slot);
        return slot;
      },
      freeSlot: async (slot) => void freed.push(slot.allocationId),
    },
    deployer: {
      ...NO_CHECKPOINTS,
      submitTask: async (_te, task) => {
        deployed.push(task);
        setTimeout(() => {
          master.updateTaskExecutionState(task.executionAttemptId, 'INITIALIZING');
          master.updateTaskExecutionState(task.executionAttemptId, 'RUNNING');
          const outcome = behaviour(task);
          if (outcome === 'finish') master.updateTaskExecutionState(task.executionAttemptId, 'FINISHED');
          if (outcome === 'fail')
            master.updateTaskExecutionState(task.executionAttemptId, 'FAILED', {
              name: 'Error',
              message: 'boom in user code',
              stack: 'Error: boom\n at main.js:3',
            });
          if (outcome === 'cancel') master.updateTaskExecutionState(task.executionAttemptId, 'CANCELED');
        }, 5);
      },
      cancelTask: async (_te, attemptId) => {
        setTimeout(() => master.updateTaskExecutionState(attemptId, 'CANCELED'), 5);
      },
    },
  });
  return { master, statuses, deployed, freed, requested, taskEvents };
}

describe('JobMaster', () => {
  it('takes one slot per subtask index (slot sharing), wires hash inputs to every producer, and finishes', async () => {
    const { master, statuses, deployed, freed, requested } = harness(wordCountGraph());
    master.start();
    const result = await master.result;
    expect(result.status).toBe('FINISHED');
    expect(statuses).toEqual(['RUNNING', 'FINISHED']);
    expect(requested).toHaveLength(2);
    expect(deployed).toHaveLength(4);
    const consumer = deployed.find((task) => task.vertexId === 'vertex-2' && task.subtaskIndex === 1)!;
    const producers = deployed.filter((task) => task.vertexId === 'vertex-1');
    expect(consumer.inputs[0].channels.map((channel) => channel.partitionId).sort()).toEqual(
      producers.map((p) => `${p.executionAttemptId}/vertex-2`).sort(),
    );
    expect(consumer.inputs[0].channels.every((channel) => channel.subpartitionIndex === 1)).toBe(true);
    expect(consumer.inputs[0].keySelector).toEqual(fn);
    expect(producers[0].outputs[0]).toMatchObject({ subpartitions: 2, shipStrategy: 'hash' });
    // Subtask i of every vertex shares slot i.
    expect(consumer.allocationId).toBe(producers.find((p) => p.subtaskIndex === 1)!.allocationId);
    expect(freed.sort()).toEqual(['alloc-0', 'alloc-1']);
    expect(master.getExecutions().every((execution) => execution.state === 'FINISHED')).toBe(true);
  });

  it('hands a BATCH job’s mode to every task, and a pre-aggregated edge’s aggregation to its producers', async () => {
    const graph: JobGraph = { ...wordCountGraph(), runtimeMode: 'BATCH' };
    graph.edges = [{ ...graph.edges[0], preAggregate: true }];
    const { master, deployed } = harness(graph);
    master.start();
    expect((await master.result).status).toBe('FINISHED');
    expect(deployed.every((task) => task.runtimeMode === 'BATCH')).toBe(true);
    const producer = deployed.find((task) => task.vertexId === 'vertex-1')!;
    const consumer = deployed.find((task) => task.vertexId === 'vertex-2')!;
    // Deployed operators carry their ids (uids), the generated one here.
    expect(producer.outputs[0].preAggregation).toEqual({ name: 'Sum', kind: 'sum', field: '1', uid: 'auto:sum-1' });
    expect(consumer.inputs[0].preAggregated).toBe(true);
  });

  it('deploys a graph without a mode as STREAMING, without pre-aggregation', async () => {
    const { master, deployed } = harness(wordCountGraph());
    master.start();
    expect((await master.result).status).toBe('FINISHED');
    expect(deployed.every((task) => task.runtimeMode === 'STREAMING')).toBe(true);
    expect(deployed.flatMap((task) => task.outputs).some((output) => output.preAggregation !== undefined)).toBe(false);
    expect(deployed.flatMap((task) => task.inputs).some((input) => input.preAggregated)).toBe(false);
  });

  it('restarts every task with a new attempt after a failure, following the restart strategy', async () => {
    let failures = 0;
    const { master, statuses, deployed } = harness(wordCountGraph(), (task) =>
      task.attemptNumber === 0 && task.vertexId === 'vertex-2' && failures++ === 0 ? 'fail' : 'finish',
    );
    master.start();
    expect((await master.result).status).toBe('FINISHED');
    expect(statuses).toEqual(['RUNNING', 'FAILING', 'RESTARTING', 'RUNNING', 'FINISHED']);
    expect(deployed.filter((task) => task.attemptNumber === 1)).toHaveLength(4);
    expect(master.restarts).toBe(1);
  });

  it('fails with the user error once the restart strategy gives up', async () => {
    const { master, statuses, freed } = harness(wordCountGraph(), (task) =>
      task.vertexId === 'vertex-2' ? 'fail' : 'finish',
    );
    master.start();
    const result = await master.result;
    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ message: 'boom in user code', stack: expect.stringContaining('main.js:3') });
    expect(statuses.filter((status) => status === 'RESTARTING')).toHaveLength(1);
    expect(freed).toHaveLength(2);
  });

  it('cancels every task and frees every slot', async () => {
    const { master, statuses, freed } = harness(wordCountGraph(), () => 'hang');
    master.start();
    await expect.poll(() => master.getExecutions().filter((execution) => execution.state === 'RUNNING').length).toBe(4);
    const result = await master.cancel();
    expect(result.status).toBe('CANCELED');
    expect(statuses).toEqual(['RUNNING', 'CANCELLING', 'CANCELED']);
    expect(master.getExecutions().every((execution) => execution.state === 'CANCELED')).toBe(true);
    expect(freed).toHaveLength(2);
  });

  it('fails the tasks of a lost task executor and redeploys on a replacement slot', async () => {
    const { master, requested, deployed } = harness(wordCountGraph(), (task) =>
      task.attemptNumber === 0 ? 'hang' : 'finish',
    );
    master.start();
    await expect.poll(() => master.getExecutions().filter((execution) => execution.state === 'RUNNING').length).toBe(4);
    master.taskExecutorLost('te-1', 'no heartbeat');
    expect((await master.result).status).toBe('FINISHED');
    expect(requested).toHaveLength(3);
    expect(deployed.filter((task) => task.attemptNumber === 1).every((task) => task.allocationId !== 'alloc-1')).toBe(
      true,
    );
  });

  it('ignores reports of stale attempts', async () => {
    const { master } = harness(wordCountGraph());
    expect(master.updateTaskExecutionState('attempt-unknown', 'RUNNING')).toBe(false);
  });
});

describe('JobMaster slot accounting', () => {
  it('returns slots that arrive after the job was cancelled', async () => {
    const freed: string[] = [];
    let grant: (() => void) | undefined;
    const master = jobMaster({
      slots: {
        requestSlot: (jobId) =>
          new Promise((resolve) => {
            const index = freed.length;
            grant = () =>
              resolve({
                allocationId: `late-${index}`,
                taskExecutorId: 'te-0',
                address: 'te-0:1',
                slotIndex: 0,
                jobId,
              });
          }),
        freeSlot: async (slot) => void freed.push(slot.allocationId),
      },
      deployer: { ...NO_CHECKPOINTS, submitTask: async () => undefined, cancelTask: async () => undefined },
    });
    master.start();
    expect((await master.cancel()).status).toBe('CANCELED');
    grant!();
    await expect.poll(() => freed).toEqual(['late-0']);
  });
});

describe('JobMaster failures and reports', () => {
  it('fails for good on fail(), whatever the restart strategy still allows', async () => {
    const { master, statuses, freed } = harness(
      wordCountGraph({ kind: 'fixedDelay', maxAttempts: 5, delayMs: 1 }),
      () => 'hang',
    );
    master.start();
    await expect.poll(() => master.getTaskCounts()).toEqual({ RUNNING: 4 });
    const cause = { name: 'CollectLimitExceededError', message: 'too many records', stack: '' };
    const result = await master.fail(cause);
    expect(result).toMatchObject({ status: 'FAILED', failure: cause });
    expect(statuses).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    expect(master.getFailure()).toEqual(cause);
    expect(master.restarts).toBe(0);
    expect(master.getTaskCounts()).toEqual({ CANCELED: 4 });
    expect(freed).toHaveLength(2);
  });

  it('treats a task that its task executor cancelled unasked as a failure, and restarts', async () => {
    const { master, statuses } = harness(wordCountGraph(), (task) =>
      task.attemptNumber === 0 && task.vertexId === 'vertex-1' && task.subtaskIndex === 0 ? 'cancel' : 'finish',
    );
    master.start();
    expect((await master.result).status).toBe('FINISHED');
    expect(statuses).toEqual(['RUNNING', 'FAILING', 'RESTARTING', 'RUNNING', 'FINISHED']);
  });

  it('ignores repeated reports and refuses a report that would bring a cancelling task back', async () => {
    const { master, taskEvents } = harness(wordCountGraph(), () => 'hang');
    master.start();
    await expect.poll(() => master.getTaskCounts()).toEqual({ RUNNING: 4 });
    const [attempt] = master.getExecutions();
    const eventsBefore = taskEvents.length;
    expect(master.updateTaskExecutionState(attempt.executionAttemptId, 'RUNNING')).toBe(true);
    expect(master.updateTaskExecutionState(attempt.executionAttemptId, 'INITIALIZING')).toBe(true);
    expect(taskEvents).toHaveLength(eventsBefore);
    const cancelled = master.cancel();
    expect(master.updateTaskExecutionState(attempt.executionAttemptId, 'RUNNING')).toBe(false);
    expect(master.getExecution(attempt.executionAttemptId)!.state).toBe('CANCELING');
    expect((await cancelled).status).toBe('CANCELED');
  });

  it('asks again for the slots of a task executor lost while the other slots were still coming', async () => {
    const grants: Array<(taskExecutorId: string) => void> = [];
    const deployed: TaskDeploymentDescriptor[] = [];
    const master: JobMaster = jobMaster({
      slots: {
        requestSlot: (jobId) =>
          new Promise((resolve) => {
            const index = grants.length;
            grants.push((taskExecutorId) =>
              resolve({
                allocationId: `alloc-${index}`,
                taskExecutorId,
                address: `${taskExecutorId}:1`,
                slotIndex: 0,
                jobId,
              }),
            );
          }),
        freeSlot: async () => undefined,
      },
      deployer: {
        ...NO_CHECKPOINTS,
        submitTask: async (_te, task) => {
          deployed.push(task);
          setTimeout(() => master.updateTaskExecutionState(task.executionAttemptId, 'FINISHED'), 1);
        },
        cancelTask: async () => undefined,
      },
    });
    master.start();
    expect(grants).toHaveLength(2);
    grants[0]('te-lost');
    await new Promise((resolve) => setTimeout(resolve, 5));
    master.taskExecutorLost('te-lost', 'no heartbeat');
    grants[1]('te-1');
    await expect.poll(() => grants.length).toBe(3);
    grants[2]('te-2');
    expect((await master.result).status).toBe('FINISHED');
    expect(deployed).toHaveLength(4);
    expect(new Set(deployed.map((task) => task.allocationId))).toEqual(new Set(['alloc-1', 'alloc-2']));
  });

  it('reports the current attempt by id, task counts, and its start and end times', async () => {
    const { master } = harness(wordCountGraph());
    expect(master.getTaskCounts()).toEqual({ CREATED: 4 });
    master.start();
    await master.result;
    const [attempt] = master.getExecutions();
    expect(master.getExecution(attempt.executionAttemptId)).toMatchObject({
      state: 'FINISHED',
      vertexId: attempt.vertexId,
    });
    expect(master.getExecution('attempt-unknown')).toBeUndefined();
    expect(master.getTaskCounts()).toEqual({ FINISHED: 4 });
    expect(master.getEndTime()!.getTime()).toBeGreaterThanOrEqual(master.getStartTime().getTime());
    expect(master.getFailure()).toBeUndefined();
  });
});
