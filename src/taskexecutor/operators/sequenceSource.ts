/**
 * The source of `env.fromSequence(from, to)` (Flink's `NumberSequenceSource`): the inclusive range
 * is cut into one contiguous piece per subtask, so each subtask counts through its own numbers and
 * the union is the whole sequence.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { subtaskRange } from './subtaskRange.js';
import type { TaskContext } from './TaskContext.js';

/**
 * Yields this subtask's part of `[from, to]` in ascending order, in batches of at most
 * `batchSize`. Nothing when `to < from`.
 *
 * @throws InvalidArgumentError when `from` or `to` is not a safe integer.
 */
export async function* sequenceSource(
  from: number,
  to: number,
  context: TaskContext,
  batchSize: number,
): AsyncGenerator<number[]> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new InvalidArgumentError(`a sequence source needs integer bounds, got [${from}, ${to}]`);
  }
  const count = to < from ? 0 : to - from + 1;
  if (!Number.isSafeInteger(count)) {
    throw new InvalidArgumentError(`the sequence [${from}, ${to}] has more than ${Number.MAX_SAFE_INTEGER} numbers`);
  }
  const range = subtaskRange(count, context.parallelism, context.subtaskIndex);
  for (let start = range.start; start < range.end; start += batchSize) {
    const end = Math.min(range.end, start + batchSize);
    const batch = new Array<number>(end - start);
    for (let i = start; i < end; i++) batch[i - start] = from + i;
    yield batch;
  }
}
