/**
 * Runs one subtask's data path from its input to its output: the source (or network input) feeds
 * the operator chain a batch at a time until the input ends, then the chain finishes. The task
 * runner calls it inside a worker thread; tests call it directly. Cancellation is checked between
 * batches, and any failure aborts the chain so that file sinks leave nothing of the attempt.
 * With checkpointing it also takes the task's snapshots at barriers.
 */
import { abortable, AbortError } from 'abort-controller-x';
import { InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import type { TaskStateSnapshot } from '../../runtime/TaskStateSnapshot.js';
import { isBarrier, type CheckpointBarrierEvent, type InputElement } from '../checkpointing/CheckpointBarrierEvent.js';
import type { CheckpointSignals, CheckpointTrigger } from '../checkpointing/CheckpointSignals.js';
import { isSourceSpec, type SourceOptions } from './createSource.js';
import { createSourceReader } from './createSourceReader.js';
import type { SourceBatch } from './SourceBatch.js';
import type { SinkOptions } from './createSinkWriter.js';
import type { FunctionLoader } from './FunctionLoader.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import { OperatorChain } from './OperatorChain.js';
import type { RecordWriter } from './RecordWriter.js';
import { checkTaskContext, type TaskContext } from './TaskContext.js';

/** How a task takes part in checkpoints; absent when its job takes none. */
export interface TaskCheckpointing {
  /** The snapshot the task restores from, when it does. */
  restored?: TaskStateSnapshot;
  /** Triggers (for a task that starts with a source) and completions. */
  signals: CheckpointSignals;
  /** Hands the task's snapshot for a checkpoint to the job master. */
  acknowledge(snapshot: TaskStateSnapshot): void;
  /** Sends the barrier of a checkpoint down every output channel; resolves once all took it. */
  broadcastBarrier?(checkpointId: number): Promise<void>;
}

/** What {@link runTaskPipeline} runs. */
export interface TaskPipelineOptions extends SourceOptions {
  /** All operators of the vertex, in order; the first is the source unless `input` is given. */
  operators: OperatorSpec[];
  context: TaskContext;
  loader: FunctionLoader;
  /** The network input (batches and aligned barriers), for a vertex that does not start with a source. */
  input?: AsyncIterable<InputElement>;
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
  /** Checkpoints, when the job takes them. */
  checkpointing?: TaskCheckpointing;
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
 * With checkpointing, a source task waits for triggers between its reads and an input task gets
 * aligned barriers between its batches; either way the task snapshots its operators (and its
 * source's position after the last batch it processed), hands the snapshot on, and forwards the
 * barrier to its outputs before it processes anything after it. A restored task starts from its
 * snapshot. A stop-with-savepoint trigger stops the source after its barrier: once the savepoint
 * completed the chain finishes (its sink commits, its outputs end), so the job ends FINISHED.
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
  const { operators, context, signal, checkpointing } = options;
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
  /** Where the source stands after the last batch the chain processed. */
  let sourcePosition: unknown = checkpointing?.restored?.source;
  const snapshot = async (checkpointId: number) => {
    const state: TaskStateSnapshot = { checkpointId, operators: await chain.snapshotState(checkpointId) };
    if (hasSource && sourcePosition !== undefined) state.source = sourcePosition;
    checkpointing?.acknowledge(state);
    await checkpointing?.broadcastBarrier?.(checkpointId);
  };
  try {
    await chain.open();
    // Always, so that a sink that commits per checkpoint settles what an earlier attempt left.
    if (checkpointing) await chain.restoreState(checkpointing.restored?.operators ?? {});
    checkpointing?.signals.onComplete((checkpointId) => chain.notifyCheckpointComplete(checkpointId));
    const input: AsyncIterable<SourceBatch | InputElement> = hasSource
      ? createSourceReader(head, context, options, checkpointing?.restored?.source)
      : (options.input as AsyncIterable<InputElement>);
    const iterator = input[Symbol.asyncIterator]();
    const triggers = hasSource ? checkpointing?.signals : undefined;
    let trigger: Promise<CheckpointTrigger> | undefined;
    let read: Promise<IteratorResult<SourceBatch | InputElement>> | undefined;
    let done = false;
    let stopped = false;
    try {
      while (!done) {
        if (signal?.aborted) throw new AbortError();
        read ??= iterator.next();
        let next: IteratorResult<SourceBatch | InputElement> | CheckpointTrigger;
        if (triggers) {
          trigger ??= triggers.nextTrigger();
          const either = Promise.race([read, trigger]);
          next = signal ? await abortable(signal, either) : await either;
        } else {
          next = signal ? await abortable(signal, read) : await read;
        }
        if (isTrigger(next)) {
          trigger = undefined;
          await snapshot(next.checkpointId);
          if (next.stop && triggers) {
            // Stop-with-savepoint: nothing more is emitted; the task finishes once the savepoint
            // completed, or resumes when another checkpoint is triggered instead (it was aborted).
            trigger = triggers.nextTrigger();
            const outcome = triggers.completed(next.checkpointId).then(() => 'completed' as const);
            const waited = Promise.race([outcome, trigger]);
            if ((signal ? await abortable(signal, waited) : await waited) === 'completed') {
              done = true;
              stopped = true;
            }
          }
          continue;
        }
        read = undefined;
        if (next.done) {
          done = true;
        } else if (hasSource) {
          const batch = next.value as SourceBatch;
          numRecordsIn += batch.records.length;
          await chain.processBatch(batch.records);
          sourcePosition = batch.position;
        } else if (isBarrier(next.value as InputElement)) {
          await snapshot((next.value as CheckpointBarrierEvent).checkpointId);
        } else {
          const records = next.value as unknown[];
          numRecordsIn += records.length;
          await chain.processBatch(records);
        }
      }
    } finally {
      if (!done || stopped) await closeIterator(iterator, read !== undefined);
    }
    if (signal?.aborted) throw new AbortError();
    await chain.finish();
  } catch (error) {
    await chain.abort().catch(() => undefined);
    throw error;
  }
  return { numRecordsIn, numRecordsOut: chain.numRecordsOut };
}

/** Whether `next` is a checkpoint trigger rather than a read. */
function isTrigger(next: IteratorResult<unknown> | CheckpointTrigger): next is CheckpointTrigger {
  return 'checkpointId' in next;
}

/**
 * Lets the input release what it holds (open files, network streams). When a read is still
 * pending (the run was cancelled while waiting), `return()` waits for that read, so it is not awaited.
 */
async function closeIterator(iterator: AsyncIterator<unknown>, readPending: boolean): Promise<void> {
  const closing = iterator.return?.();
  if (!closing) return;
  if (readPending) closing.catch(() => undefined);
  else await closing.catch(() => undefined);
}
