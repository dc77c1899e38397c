/**
 * Builds the sink at the end of a chain from its spec. What a sink writes to beyond the file
 * system (the task's output lines, the channel back to the submitter) is injected, so the task
 * runner decides where it goes and tests can capture it.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import { CollectSinkWriter, type RecordCollector } from './CollectSinkWriter.js';
import { PrintSinkWriter } from './PrintSinkWriter.js';
import type { SinkWriter } from './SinkWriter.js';
import type { TaskContext } from './TaskContext.js';
import { TextFileSinkWriter } from './TextFileSinkWriter.js';
import { TransactionalTextFileSinkWriter } from './TransactionalTextFileSinkWriter.js';

/** The operators that end a chain by writing records out. */
export type SinkSpec = Extract<OperatorSpec, { kind: 'textFileSink' | 'printSink' | 'collectSink' }>;

/** Where sinks write; every field is optional. */
export interface SinkOptions {
  /** Receives the lines of a print sink; default: `process.stdout`, a batch at a time. */
  printLine?: (line: string) => void;
  /** Receives the batches of a collect sink; required when the chain ends in one. */
  collect?: RecordCollector;
  /** Characters a text file sink buffers before writing; default about 1 MiB. */
  writeBufferSize?: number;
  /** Whether the job takes checkpoints: a text file sink then commits per checkpoint (two-phase commit). */
  checkpointing?: boolean;
}

/** Whether `spec` is a sink operator. */
export function isSinkSpec(spec: OperatorSpec): spec is SinkSpec {
  return spec.kind === 'textFileSink' || spec.kind === 'printSink' || spec.kind === 'collectSink';
}

/**
 * The sink writer for `spec`, not yet opened.
 *
 * @throws FailedPreconditionError for a collect sink when `options.collect` is missing.
 * @throws InvalidArgumentError when `spec` is not a sink.
 */
export function createSinkWriter(spec: SinkSpec, context: TaskContext, options: SinkOptions = {}): SinkWriter {
  switch (spec.kind) {
    case 'printSink':
      return new PrintSinkWriter(spec.prefix, context, options.printLine);
    case 'collectSink':
      if (!options.collect) {
        throw new FailedPreconditionError(
          `the collect sink "${spec.name}" of task ${context.taskName} has no collector to hand its records to`,
        );
      }
      return new CollectSinkWriter(options.collect);
    case 'textFileSink':
      if (options.checkpointing) return new TransactionalTextFileSinkWriter(spec.path, context);
      return new TextFileSinkWriter(spec.path, spec.overwrite, context, options.writeBufferSize);
    default:
      throw new InvalidArgumentError(
        `operator "${(spec as OperatorSpec).name}" of kind ${(spec as OperatorSpec).kind} is not a sink`,
      );
  }
}
