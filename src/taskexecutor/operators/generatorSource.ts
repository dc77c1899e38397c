/**
 * The source of `env.fromGenerator(fn, options)` (Flink's DataGeneratorSource): it emits fn(0),
 * fn(1), ... — subtask i of n the indices i, i + n, i + 2n, … — up to a count or without end, at
 * most at a rate shared evenly by the subtasks. Its position is how many records the subtask
 * emitted, so a restored subtask goes on with the next index.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkSynchronous } from './checkSynchronous.js';
import type { UserFunction } from './FunctionLoader.js';
import type { SourceBatch } from './SourceBatch.js';
import type { TaskContext } from './TaskContext.js';

/** How a generator source runs. */
export interface GeneratorSourceOptions {
  /** The user's function, given the index. */
  fn: UserFunction;
  /** How many records all subtasks emit together; undefined: without end. */
  count?: number;
  /** How many records per second all subtasks emit together; undefined: as fast as they are taken. */
  recordsPerSecond?: number;
  batchSize: number;
  /** How many records this subtask emitted before (its restored position); 0 when it starts afresh. */
  emitted?: number;
}

/** The longest a rate-limited generator sleeps at a time, so that it emits small batches often. */
const MAX_SLEEP_MS = 100;

/** Yields this subtask's records, each batch with the number of records emitted after it. */
export async function* generatorSource(
  context: TaskContext,
  options: GeneratorSourceOptions,
): AsyncGenerator<SourceBatch> {
  const { fn, count, batchSize } = options;
  const { subtaskIndex, parallelism } = context;
  const rate = options.recordsPerSecond === undefined ? undefined : options.recordsPerSecond / parallelism;
  let emitted = options.emitted ?? 0;
  const startedAt = Date.now();
  const emittedAtStart = emitted;
  const what = 'the generator function';
  for (;;) {
    let size = batchSize;
    if (rate !== undefined) {
      const due = Math.floor(((Date.now() - startedAt) * rate) / 1000) - (emitted - emittedAtStart);
      if (due < 1) {
        await sleep(Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(1000 / rate))));
        continue;
      }
      size = Math.min(size, due);
    }
    const records: unknown[] = [];
    for (let k = 0; k < size; k++) {
      const index = subtaskIndex + (emitted + k) * parallelism;
      if (count !== undefined && index >= count) break;
      records.push(checkSynchronous(fn(index), what));
    }
    if (records.length === 0) return;
    emitted += records.length;
    yield { records, position: emitted };
  }
}
