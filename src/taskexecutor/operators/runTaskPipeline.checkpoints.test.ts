import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import type { TaskStateSnapshot } from '../../runtime/TaskStateSnapshot.js';
import type { InputElement } from '../checkpointing/CheckpointBarrierEvent.js';
import { CheckpointSignals } from '../checkpointing/CheckpointSignals.js';
import type { RecordWriter } from './RecordWriter.js';
import { runTaskPipeline } from './runTaskPipeline.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';
import { testTaskContext } from './testing/testTaskContext.js';

const generator = (count: number): OperatorSpec => ({
  kind: 'generatorSource',
  name: 'Source: Generator',
  fn: functionSpec((index: number) => index),
  count,
});

/** A generator that never ends soon: 2,000 records a second. */
const slowGenerator: OperatorSpec = {
  kind: 'generatorSource',
  name: 'Source: Generator',
  fn: functionSpec((index: number) => index),
  recordsPerSecond: 2000,
};

/** An output that keeps what it is given, barriers included, in order. */
function recordingOutput(onEmit?: (records: unknown[]) => void) {
  const out: Array<unknown[] | string> = [];
  const writer: RecordWriter = {
    async emit(records) {
      out.push(records);
      onEmit?.(records);
    },
    async finish() {},
  };
  return { out, writer, barrier: async (checkpointId: number) => void out.push(`barrier ${checkpointId}`) };
}

/** A copy of a snapshot as it travels (v8), so that the task's later changes do not reach it. */
const travelled = (snapshot: TaskStateSnapshot) => deserialize(serialize(snapshot)) as TaskStateSnapshot;

async function* elements(...items: InputElement[]): AsyncGenerator<InputElement> {
  yield* items;
}

describe('runTaskPipeline with checkpoints', () => {
  it('snapshots a source task’s position between batches, sends the barrier after the records before it, and restores from it', async () => {
    const signals = new CheckpointSignals();
    const snapshots: TaskStateSnapshot[] = [];
    const output = recordingOutput((records) => {
      if (records[0] === 0) signals.trigger(1);
    });
    await runTaskPipeline({
      operators: [generator(6), { kind: 'map', name: 'Map', fn: functionSpec((n: number) => n * 10) }],
      context: testTaskContext(),
      loader: testFunctionLoader,
      batchSize: 2,
      output: output.writer,
      checkpointing: {
        signals,
        acknowledge: (snapshot) => snapshots.push(travelled(snapshot)),
        broadcastBarrier: output.barrier,
      },
    });
    expect(output.out).toEqual([[0, 10], 'barrier 1', [20, 30], [40, 50]]);
    expect(snapshots).toEqual([{ checkpointId: 1, source: 2, operators: {} }]);

    const restored = recordingOutput();
    await runTaskPipeline({
      operators: [generator(6)],
      context: testTaskContext(0, 1, { attemptNumber: 1 }),
      loader: testFunctionLoader,
      batchSize: 2,
      output: restored.writer,
      checkpointing: { signals: new CheckpointSignals(), restored: snapshots[0], acknowledge: () => undefined },
    });
    expect(restored.out).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('snapshots keyed state at an aligned barrier, and a restored task counts on from it', async () => {
    const count: OperatorSpec = { kind: 'count', name: 'Count' };
    const keySelector = functionSpec((word: string) => word);
    const snapshots: TaskStateSnapshot[] = [];
    const first = recordingOutput();
    await runTaskPipeline({
      operators: [count],
      context: testTaskContext(),
      loader: testFunctionLoader,
      keySelector,
      input: elements(['a', 'b', 'a'], { checkpointId: 3 }, ['a']),
      output: first.writer,
      checkpointing: {
        signals: new CheckpointSignals(),
        acknowledge: (snapshot) => snapshots.push(travelled(snapshot)),
        broadcastBarrier: first.barrier,
      },
    });
    expect(first.out).toEqual([
      [
        ['a', 1],
        ['b', 1],
        ['a', 2],
      ],
      'barrier 3',
      [['a', 3]],
    ]);
    expect(snapshots.map((snapshot) => snapshot.checkpointId)).toEqual([3]);

    // The attempt after a failure restores checkpoint 3: the record after it is counted once, on top of it.
    const second = recordingOutput();
    await runTaskPipeline({
      operators: [count],
      context: testTaskContext(0, 1, { attemptNumber: 1 }),
      loader: testFunctionLoader,
      keySelector,
      input: elements(['a', 'b']),
      output: second.writer,
      checkpointing: { signals: new CheckpointSignals(), restored: snapshots[0], acknowledge: () => undefined },
    });
    expect(second.out).toEqual([
      [
        ['a', 3],
        ['b', 2],
      ],
    ]);
  });

  it('stops a source task with a savepoint: nothing after its barrier, and it finishes once the savepoint completed', async () => {
    const signals = new CheckpointSignals();
    let finished = false;
    const out: Array<unknown[] | string> = [];
    const run = runTaskPipeline({
      operators: [slowGenerator],
      context: testTaskContext(),
      loader: testFunctionLoader,
      batchSize: 1,
      output: {
        async emit(records) {
          out.push(records);
          if (out.length === 3) signals.trigger(4, true);
        },
        async finish() {
          finished = true;
        },
      },
      checkpointing: {
        signals,
        acknowledge: () => undefined,
        broadcastBarrier: async (checkpointId) => void out.push(`barrier ${checkpointId}`),
      },
    }).then(() => 'ended');
    await expect.poll(() => out).toContain('barrier 4');
    // Stopped: no record after the barrier while the savepoint is pending.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out.at(-1)).toBe('barrier 4');
    expect(finished).toBe(false);
    signals.complete(4);
    expect(await run).toBe('ended');
    expect(finished).toBe(true);
    expect(out.at(-1)).toBe('barrier 4');
  });

  it('resumes a source stopped for a savepoint when another checkpoint is triggered instead (the savepoint was aborted)', async () => {
    const signals = new CheckpointSignals();
    const out: Array<unknown[] | string> = [];
    const aborter = new AbortController();
    const run = runTaskPipeline({
      operators: [slowGenerator],
      context: testTaskContext(),
      loader: testFunctionLoader,
      batchSize: 1,
      signal: aborter.signal,
      output: {
        async emit(records) {
          out.push(records);
          if (out.length === 3) signals.trigger(4, true);
        },
        async finish() {},
      },
      checkpointing: {
        signals,
        acknowledge: () => undefined,
        broadcastBarrier: async (checkpointId) => void out.push(`barrier ${checkpointId}`),
      },
    }).catch((error: unknown) => (error as Error).name);
    await expect.poll(() => out).toContain('barrier 4');
    signals.trigger(5);
    await expect.poll(() => out).toContain('barrier 5');
    await expect.poll(() => out.length).toBeGreaterThan(out.indexOf('barrier 5') + 2);
    aborter.abort();
    expect(await run).toBe('AbortError');
  });
});
