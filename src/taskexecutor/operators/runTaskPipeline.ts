/**
 * Runs one subtask's data path from its input to its output: the source (or network input) feeds
 * the operator chain a batch at a time until the input ends, then the chain finishes. The task
 * runner calls it inside a worker thread; tests call it directly. Cancellation is checked between
 * batches, and any failure aborts the chain so that file sinks leave nothing of the attempt.
 */
import { abortable, AbortError } from 'abort-controller-x';
import { InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { createSource, isSourceSpec, type SourceOptions } from './createSource.js';
import type { SinkOptions } from './createSinkWriter.js';
import type { FunctionLoader } from './FunctionLoader.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import { OperatorChain } from './OperatorChain.js';
import type { RecordWriter } from './RecordWriter.js';
import { checkTaskContext, type TaskContext } from './TaskContext.js';

/** What {@link runTaskPipeline} runs. */
export interface TaskPipelineOptions extends SourceOptions {
  /** All operators of the vertex, in order; the first is the source unless `input` is given. */
  operators: OperatorSpec[];
  context: TaskContext;
  loader: FunctionLoader;
  /** The network input, for a vertex that does not start with a source. */
  input?: AsyncIterable<unknown[]>;
  /** The key selector of the input edge, for keyed operators. */
  keySelector?: UserFunctionSpec;
  /** How keyed operators run (the job's runtime mode, a pre-aggregated input); STREAMING on records when unset. */
  keyedMode?: KeyedAggregationMode;
  /** The network output, for a vertex that does not end in a sink. */
  output?: RecordWriter;
  /** Where the sink writes. */
  sinks?: SinkOptions;
  /** Cancels the run; it rejects with an `AbortError` and the sink is aborted. */
  signal?: AbortSignal;
}

/** What a finished run did (Flink's `numRecordsIn` and `numRecordsOut` task metrics). */
export interface TaskPipelineResult {
  /** Records read from the source or the network input. */
  numRecordsIn: number;
  /** Records handed to the sink or the network output. */
  numRecordsOut: number;
}

/**
 * Reads every batch of the input into the chain, then finishes the chain. Resolves when the
 * output has finished (a text file sink has committed its part file).
 *
 * On failure the chain is aborted and the original error is rethrown unchanged (a user function's
 * error as the user threw it). When `signal` is aborted, the run stops before its next batch,
 * or while it waits for input, and rejects with an `AbortError` (see `isAbortError` of
 * `abort-controller-x`); a batch that is being written is not interrupted, so an output that may
 * wait long (for credit, for the submitter) should watch the same signal.
 *
 * @throws InvalidArgumentError when the vertex has both or neither of a source and an input.
 */
export async function runTaskPipeline(options: TaskPipelineOptions): Promise<TaskPipelineResult> {
  const { operators, context, signal } = options;
  checkTaskContext(context);
  const head = operators[0];
  const hasSource = head !== undefined && isSourceSpec(head);
  if (hasSource === (options.input !== undefined)) {
    throw new InvalidArgumentError(
      hasSource
        ? `task ${context.taskName} starts with the source "${head.name}" and cannot also read a network input`
        : `task ${context.taskName} has neither a source nor a network input`,
    );
  }
  if (signal?.aborted) throw new AbortError();
  const chain = new OperatorChain({
    operators: hasSource ? operators.slice(1) : operators,
    context,
    loader: options.loader,
    keySelector: options.keySelector,
    keyedMode: options.keyedMode,
    output: options.output,
    sinks: options.sinks,
  });
  let numRecordsIn = 0;
  try {
    await chain.open();
    const input = hasSource ? createSource(head, context, options) : (options.input as AsyncIterable<unknown[]>);
    const iterator = input[Symbol.asyncIterator]();
    let done = false;
    let waiting = false;
    try {
      while (!done) {
        if (signal?.aborted) throw new AbortError();
        waiting = true;
        const next = signal ? await abortable(signal, iterator.next()) : await iterator.next();
        waiting = false;
        if (next.done) {
          done = true;
        } else {
          numRecordsIn += next.value.length;
          await chain.processBatch(next.value);
        }
      }
    } finally {
      if (!done) await closeIterator(iterator, waiting);
    }
    if (signal?.aborted) throw new AbortError();
    await chain.finish();
  } catch (error) {
    await chain.abort().catch(() => undefined);
    throw error;
  }
  return { numRecordsIn, numRecordsOut: chain.numRecordsOut };
}

/**
 * Lets the input release what it holds (open files, network streams). When a read is still
 * pending (the run was cancelled while waiting), `return()` waits for that read, so it is not awaited.
 */
async function closeIterator(iterator: AsyncIterator<unknown[]>, readPending: boolean): Promise<void> {
  const closing = iterator.return?.();
  if (!closing) return;
  if (readPending) closing.catch(() => undefined);
  else await closing.catch(() => undefined);
}
