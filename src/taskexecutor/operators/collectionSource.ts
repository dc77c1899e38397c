/**
 * The source of `env.fromCollection()`/`fromElements()`: the records travel inside the job graph,
 * and each subtask takes every `parallelism`-th of them, so the subtasks share the work without
 * coordinating and their union is the collection.
 */
import type { TaskContext } from './TaskContext.js';

/**
 * Yields, in batches of at most `batchSize`, the records at the positions `i` where
 * `i % parallelism === subtaskIndex`, in order.
 */
export async function* collectionSource(
  records: readonly unknown[],
  context: TaskContext,
  batchSize: number,
): AsyncGenerator<unknown[]> {
  let batch: unknown[] = [];
  for (let i = context.subtaskIndex; i < records.length; i += context.parallelism) {
    batch.push(records[i]);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
