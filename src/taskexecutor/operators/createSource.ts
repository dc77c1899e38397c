/**
 * Turns the source operator at the head of a vertex into the stream of record batches its subtask
 * reads. Records move in batches so that the per-call costs of the data path (awaits, operator
 * calls, network frames) are paid once per batch instead of once per record.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import { collectionSource } from './collectionSource.js';
import { sequenceSource } from './sequenceSource.js';
import { checkTaskContext, type TaskContext } from './TaskContext.js';
import { textFileSource } from './textFileSource.js';

/** The operators that read input. */
export type SourceSpec = Extract<
  OperatorSpec,
  { kind: 'collectionSource' | 'textFileSource' | 'sequenceSource' | 'generatorSource' | 'jetStreamSource' }
>;

/** The sources that read a bounded input once, in an order that is the same each time. */
export type BoundedSourceSpec = Extract<
  OperatorSpec,
  { kind: 'collectionSource' | 'textFileSource' | 'sequenceSource' }
>;

/** How sources batch and read; every field is optional. */
export interface SourceOptions {
  /** The most records in one batch; default {@link DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
  /** The bytes a text file source reads at a time; default {@link DEFAULT_READ_CHUNK_SIZE}. */
  readChunkSize?: number;
}

/** Records per batch unless a source is told otherwise. */
export const DEFAULT_BATCH_SIZE = 1024;

/** Bytes per read of a text file source unless told otherwise (1 MiB). */
export const DEFAULT_READ_CHUNK_SIZE = 1024 * 1024;

/** Whether `spec` is a source operator. */
export function isSourceSpec(spec: OperatorSpec): spec is SourceSpec {
  return (
    spec.kind === 'collectionSource' ||
    spec.kind === 'textFileSource' ||
    spec.kind === 'sequenceSource' ||
    spec.kind === 'generatorSource' ||
    spec.kind === 'jetStreamSource'
  );
}

/** The checked batch size of `options`. */
export function sourceBatchSize(options: SourceOptions): number {
  return positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
}

/**
 * The batches of records that subtask `context.subtaskIndex` of the source reads: never empty,
 * each at most `batchSize` long. See {@link collectionSource}, {@link sequenceSource} and
 * {@link textFileSource} for how each kind divides its input between subtasks.
 *
 * @throws InvalidArgumentError when `spec` is not a source, an option is not a positive integer,
 *   or `context` is not valid (see {@link checkTaskContext}).
 */
export function createSource(
  spec: BoundedSourceSpec,
  context: TaskContext,
  options: SourceOptions = {},
): AsyncIterable<unknown[]> {
  checkTaskContext(context);
  const batchSize = positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
  const readChunkSize = positiveInteger(options.readChunkSize ?? DEFAULT_READ_CHUNK_SIZE, 'readChunkSize');
  switch (spec.kind) {
    case 'collectionSource':
      return collectionSource(spec.records, context, batchSize);
    case 'sequenceSource':
      return sequenceSource(spec.from, spec.to, context, batchSize);
    case 'textFileSource':
      return textFileSource(spec.path, context, { batchSize, readChunkSize });
    default:
      throw new InvalidArgumentError(
        `operator "${(spec as OperatorSpec).name}" of kind ${(spec as OperatorSpec).kind} is not a source`,
      );
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
  return value;
}
