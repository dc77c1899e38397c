/**
 * The source at the head of a vertex as a checkpointable reader: batches with the source's
 * position after each ({@link SourceBatch}), started from a restored position when the task
 * restores a checkpoint. The unbounded sources track positions of their own (a folder's files, a
 * generator's index, a JetStream sequence); the bounded ones read the same records in the same
 * order every time, so their position is how many records they emitted and a restored one skips
 * that many.
 */
import type { FunctionLoader } from './FunctionLoader.js';
import { continuousFileSource, type ContinuousFilePosition } from './continuousFileSource.js';
import { createSource, sourceBatchSize, type SourceOptions, type SourceSpec } from './createSource.js';
import { generatorSource } from './generatorSource.js';
import { jetStreamSource } from './jetStreamSource.js';
import type { SourceBatch } from './SourceBatch.js';
import type { TaskContext } from './TaskContext.js';

/** The batches of the source `spec` for subtask `context.subtaskIndex`, from `restored` on when given. */
export function createSourceReader(
  spec: SourceSpec,
  context: TaskContext,
  options: SourceOptions & { loader: FunctionLoader },
  restored?: unknown,
): AsyncIterable<SourceBatch> {
  const batchSize = sourceBatchSize(options);
  switch (spec.kind) {
    case 'generatorSource':
      return (async function* () {
        const fn = await options.loader(spec.fn);
        yield* generatorSource(context, {
          fn,
          count: spec.count,
          recordsPerSecond: spec.recordsPerSecond,
          batchSize,
          emitted: typeof restored === 'number' ? restored : 0,
        });
      })();
    case 'jetStreamSource':
      return jetStreamSource(spec, context, batchSize, typeof restored === 'number' ? restored : undefined);
    case 'textFileSource':
      if (spec.monitorIntervalMs !== undefined && spec.monitorIntervalMs > 0)
        return continuousFileSource(
          spec.path,
          spec.monitorIntervalMs,
          context,
          batchSize,
          restored as ContinuousFilePosition | undefined,
        );
      return countedSource(createSource(spec, context, options), typeof restored === 'number' ? restored : 0);
    default:
      return countedSource(createSource(spec, context, options), typeof restored === 'number' ? restored : 0);
  }
}

/** A bounded source's batches, the first `skip` records left out, each with the records emitted so far. */
async function* countedSource(batches: AsyncIterable<unknown[]>, skip: number): AsyncGenerator<SourceBatch> {
  let seen = 0;
  for await (const batch of batches) {
    const start = Math.max(0, Math.min(batch.length, skip - seen));
    seen += batch.length;
    if (start === batch.length) continue;
    yield { records: start === 0 ? batch : batch.slice(start), position: seen };
  }
}
