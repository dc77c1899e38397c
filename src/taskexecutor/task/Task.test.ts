import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { createLogger } from '../../common/logger.js';
import type { ExecutionState, SerializedError } from '../../common/status.js';
import type { OperatorSpec, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import { deserializeBatch, serializeBatch } from './serializeBatch.js';
import { Task, type TaskBatch, type TaskInputGate, type TaskOptions, type TaskServices } from './Task.js';
import { TaskWorkerLibraryCache } from './TaskWorkerLibraryCache.js';

const bundleRoot = tempDir();
writeFileSync(join(bundleRoot, 'fns.mjs'), "import { next } from './counter.mjs';\n");
// Module-level state of the bundle: shared by the tasks that run in one worker, as Flink's static fields in one class loader.
writeFileSync(join(bundleRoot, 'counter.mjs'), 'let calls = 0;\nexport function next() { return ++calls; }\n');
const fn = (source: string): UserFunctionSpec => ({ source, module: 'fns.mjs', line: 1, boundValuesJson: '{}' });
const logger = createLogger({ name: 'test', level: 'silent' });

function descriptor(
  operators: OperatorSpec[],
  extra: Partial<TaskDeploymentDescriptor> = {},
): TaskDeploymentDescriptor {
  return {
    jobId: 'job-1',
    jobName: 'test',
    vertexId: 'v1',
    vertexName: 'Vertex',
    subtaskIndex: 0,
    parallelism: 1,
    attemptNumber: 0,
    executionAttemptId: `attempt-${Math.random()}`,
    allocationId: 'alloc',
    operators,
    inputs: [],
    outputs: [],
    bundle: undefined,
    resources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
    applicationId: '',
    jobmanagerAddress: '',
    ...extra,
  };
}

/** Services that record what the task reports, emits and collects. */
function recordingServices(gate?: TaskInputGate) {
  const states: { state: ExecutionState; failure?: SerializedError }[] = [];
  const collected: unknown[] = [];
  const emitted: { subpartition: number; records: unknown[] }[] = [];
  const partition = { finished: false, released: '' };
  let printed = '';
  const services: TaskServices = {
    resolveBundle: async () => bundleRoot,
    createResultPartition: () => ({
      emit: async (subpartition: number, batch: TaskBatch) =>
        void emitted.push({ subpartition, records: deserializeBatch(batch.payload) }),
      finish: () => void (partition.finished = true),
      release: (reason: string) => void (partition.released = reason),
    }),
    openInputGate: () => gate as TaskInputGate,
    reportState: async (state, failure) => (states.push({ state, failure }), true),
    collect: async (records) => (collected.push(...records), true),
    print: (text) => void (printed += text),
  };
  return { services, states, collected, emitted, partition, printed: () => printed };
}

/** A gate that hands out the given batches, then ends (or waits forever when `hang`). */
function scriptedGate(batches: unknown[][], hang = false) {
  const recycled: number[] = [];
  let closed = false;
  const gate: TaskInputGate = {
    async next() {
      const records = batches.shift();
      if (records)
        return { channelIndex: 0, batch: { count: records.length, payload: new Uint8Array(serializeBatch(records)) } };
      if (hang) await new Promise(() => undefined);
      return undefined;
    },
    recycle: (channel) => void recycled.push(channel),
    close: () => void (closed = true),
  };
  return { gate, recycled, isClosed: () => closed };
}

const tasks: Task[] = [];
/** Pipeline tasks never report output (only a driver's console goes to the job manager). */
const NO_OUTPUT_REPORTER: TaskOptions['connectOutputReporter'] = () => {
  throw new Error('a pipeline task reports no output');
};
function startTask(options: Omit<TaskOptions, 'connectOutputReporter'>): Task {
  const task = new Task({ connectOutputReporter: NO_OUTPUT_REPORTER, ...options });
  tasks.push(task);
  task.start();
  return task;
}
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.cancel()));
});

describe('Task', () => {
  it('runs a source and a map in a worker thread and collects the records, reporting each state', async () => {
    const recorded = recordingServices();
    const task = startTask({
      descriptor: descriptor([
        { kind: 'sequenceSource', name: 'Source', from: 1, to: 5 },
        { kind: 'map', name: 'Map', fn: fn('(x) => x * 10') },
        { kind: 'collectSink', name: 'Collect' },
      ]),
      services: recorded.services,
      logger,
      cancellationGraceMs: 1000,
    });
    expect(await task.terminated).toBe('FINISHED');
    expect(recorded.states.map((s) => s.state)).toEqual(['INITIALIZING', 'RUNNING', 'FINISHED']);
    expect(recorded.collected).toEqual([10, 20, 30, 40, 50]);
  });

  it('reads its network input, recycles every batch, and writes its output partitioned by key', async () => {
    const input = scriptedGate([
      [
        ['a', 1],
        ['b', 1],
      ],
      [['a', 1]],
      [
        ['c', 1],
        ['b', 1],
      ],
    ]);
    const recorded = recordingServices(input.gate);
    const task = startTask({
      descriptor: descriptor([{ kind: 'sum', name: 'Sum', field: '1' }], {
        inputs: [
          {
            sourceVertexId: 'v0',
            shipStrategy: 'hash',
            keySelector: fn('(pair) => pair[0]'),
            channels: [{ producerAddress: 'x', partitionId: 'p', subpartitionIndex: 0 }],
          },
        ],
        outputs: [
          {
            partitionId: 'attempt/v2',
            targetVertexId: 'v2',
            shipStrategy: 'hash',
            subpartitions: 2,
            keySelector: fn('(pair) => pair[0]'),
          },
        ],
      }),
      services: recorded.services,
      logger,
      cancellationGraceMs: 1000,
    });
    expect(await task.terminated).toBe('FINISHED');
    expect(input.recycled).toEqual([0, 0, 0]);
    expect(recorded.partition.finished).toBe(true);
    const latest = new Map<string, number>();
    for (const { records } of recorded.emitted)
      for (const [word, count] of records as [string, number][]) latest.set(word, count);
    expect(Object.fromEntries(latest)).toEqual({ a: 2, b: 2, c: 1 });
    const channelsOf = (word: string) =>
      new Set(
        recorded.emitted.filter((e) => (e.records as [string][]).some(([w]) => w === word)).map((e) => e.subpartition),
      );
    for (const word of ['a', 'b', 'c']) expect(channelsOf(word).size).toBe(1);
  });

  it("fails with the user function's own message and releases its partitions", async () => {
    const recorded = recordingServices();
    const task = startTask({
      descriptor: descriptor(
        [
          { kind: 'sequenceSource', name: 'Source', from: 1, to: 3 },
          {
            kind: 'map',
            name: 'Map',
            fn: fn("(x) => { if (x === 2) throw new RangeError('two is not allowed'); return x; }"),
          },
        ],
        {
          outputs: [
            {
              partitionId: 'attempt/v2',
              targetVertexId: 'v2',
              shipStrategy: 'rebalance',
              subpartitions: 1,
              keySelector: undefined,
            },
          ],
        },
      ),
      services: recorded.services,
      logger,
      cancellationGraceMs: 1000,
    });
    expect(await task.terminated).toBe('FAILED');
    const failure = recorded.states.at(-1)?.failure;
    expect(failure).toMatchObject({ name: 'RangeError', message: 'two is not allowed' });
    expect(recorded.partition.released).toMatch(/FAILED/);
  });

  it('cancels a task that waits for input at once', async () => {
    const input = scriptedGate([], true);
    const recorded = recordingServices(input.gate);
    const task = startTask({
      descriptor: descriptor([{ kind: 'printSink', name: 'Print', prefix: '' }], {
        inputs: [
          {
            sourceVertexId: 'v0',
            shipStrategy: 'rebalance',
            keySelector: undefined,
            channels: [{ producerAddress: 'x', partitionId: 'p', subpartitionIndex: 0 }],
          },
        ],
      }),
      services: recorded.services,
      logger,
      cancellationGraceMs: 60_000,
    });
    await expect.poll(() => recorded.states.map((s) => s.state)).toContain('RUNNING');
    expect(await task.cancel()).toBe('CANCELED');
    expect(recorded.states.at(-1)?.state).toBe('CANCELED');
    expect(input.isClosed()).toBe(true);
  });

  it('terminates a worker that ignores cancellation after the grace period', async () => {
    const recorded = recordingServices();
    const task = startTask({
      descriptor: descriptor([
        { kind: 'sequenceSource', name: 'Source', from: 1, to: 1 },
        { kind: 'map', name: 'Spin', fn: fn('(x) => { for (;;) {} }') },
        { kind: 'collectSink', name: 'Collect' },
      ]),
      services: recorded.services,
      logger,
      cancellationGraceMs: 200,
    });
    await expect.poll(() => recorded.states.map((s) => s.state)).toContain('RUNNING');
    expect(await task.cancel()).toBe('CANCELED');
    expect(recorded.states.map((s) => s.state)).toEqual(['INITIALIZING', 'RUNNING', 'CANCELED']);
  });

  it('prints what a print sink writes through the task executor', async () => {
    const recorded = recordingServices();
    const task = startTask({
      descriptor: descriptor([
        { kind: 'collectionSource', name: 'Source', records: ['x', 'y'] },
        { kind: 'printSink', name: 'Print', prefix: '' },
      ]),
      services: recorded.services,
      logger,
      cancellationGraceMs: 1000,
    });
    expect(await task.terminated).toBe('FINISHED');
    expect(recorded.printed()).toBe('x\ny\n');
  });
});

describe('Task in a kept worker', () => {
  const bundle = { artifactId: 'b'.repeat(64) };
  const counting = (extra: Partial<TaskDeploymentDescriptor> = {}) =>
    descriptor(
      [
        { kind: 'sequenceSource', name: 'Source', from: 1, to: 2 },
        { kind: 'map', name: 'Count', fn: fn('(x) => next()') },
        { kind: 'collectSink', name: 'Collect' },
      ],
      { bundle, ...extra },
    );
  const caches: TaskWorkerLibraryCache[] = [];
  const cacheOf = (maxIdle = 2) => (
    caches.push(new TaskWorkerLibraryCache({ maxIdle })),
    caches.at(-1) as TaskWorkerLibraryCache
  );
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
  });

  /** Runs a task to its end with its own recording services; what it collected and how it ended. */
  async function runTask(workerCache: TaskWorkerLibraryCache, taskDescriptor: TaskDeploymentDescriptor) {
    const recorded = recordingServices();
    const task = startTask({
      descriptor: taskDescriptor,
      services: recorded.services,
      logger,
      cancellationGraceMs: 1000,
      workerCache,
    });
    return { state: await task.terminated, collected: recorded.collected, states: recorded.states.map((s) => s.state) };
  }

  it("runs the next task of the same bundle in the worker of one that finished, with the bundle's modules loaded", async () => {
    const workerCache = cacheOf();
    const first = await runTask(workerCache, counting());
    expect(first).toMatchObject({
      state: 'FINISHED',
      collected: [1, 2],
      states: ['INITIALIZING', 'RUNNING', 'FINISHED'],
    });
    expect(workerCache.idleCount).toBe(1);
    const second = await runTask(workerCache, counting());
    // Its own operators and sinks (it collected only its records), the module's counter went on.
    expect(second).toMatchObject({
      state: 'FINISHED',
      collected: [3, 4],
      states: ['INITIALIZING', 'RUNNING', 'FINISHED'],
    });
    expect(workerCache.idleCount).toBe(1);
  });

  it('gives a task of another heap limit or another bundle a fresh worker', async () => {
    const workerCache = cacheOf();
    await runTask(workerCache, counting());
    const otherHeap = await runTask(
      workerCache,
      counting({ resources: { cpus: 0, heapMemoryMb: 64, directMemoryMb: 0, nativeMemoryMb: 0 } }),
    );
    const otherBundle = await runTask(workerCache, counting({ bundle: { artifactId: 'c'.repeat(64) } }));
    expect([otherHeap.collected, otherBundle.collected]).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(workerCache.idleCount).toBe(2);
  });

  it('never keeps the worker of a task that failed or was cancelled, so the next attempt starts fresh', async () => {
    const workerCache = cacheOf();
    await runTask(workerCache, counting());
    const failing = counting();
    failing.operators[1] = { kind: 'map', name: 'Fail', fn: fn("(x) => { if (next() > 0) throw new Error('no'); }") };
    expect((await runTask(workerCache, failing)).state).toBe('FAILED');
    expect(workerCache.idleCount).toBe(0);
    expect((await runTask(workerCache, counting())).collected).toEqual([1, 2]);

    const input = scriptedGate([], true);
    const recorded = recordingServices(input.gate);
    const waiting = startTask({
      descriptor: descriptor([{ kind: 'printSink', name: 'Print', prefix: '' }], {
        bundle,
        inputs: [
          {
            sourceVertexId: 'v0',
            shipStrategy: 'rebalance',
            keySelector: undefined,
            channels: [{ producerAddress: 'x', partitionId: 'p', subpartitionIndex: 0 }],
          },
        ],
      }),
      services: recorded.services,
      logger,
      cancellationGraceMs: 60_000,
      workerCache,
    });
    await expect.poll(() => recorded.states.map((s) => s.state)).toContain('RUNNING');
    expect(workerCache.idleCount).toBe(0);
    expect(await waiting.cancel()).toBe('CANCELED');
    expect(workerCache.idleCount).toBe(0);
    expect((await runTask(workerCache, counting())).collected).toEqual([1, 2]);
  });
});
