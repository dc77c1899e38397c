/**
 * The operators a task runs one after the other inside one thread (Flink's `OperatorChain`): what
 * comes after the source or the network input of a vertex. Records go through the chain a batch at
 * a time with plain calls, and only the chain's output, a sink or the network, is awaited, which is
 * where back pressure reaches the task.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { createSinkWriter, isSinkSpec, type SinkOptions } from './createSinkWriter.js';
import { createStreamOperators, isTransformSpec } from './createStreamOperators.js';
import type { FunctionLoader } from './FunctionLoader.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import type { RecordWriter } from './RecordWriter.js';
import type { SinkWriter } from './SinkWriter.js';
import type { StreamOperator } from './StreamOperator.js';
import { checkTaskContext, type TaskContext } from './TaskContext.js';

/** What an {@link OperatorChain} is built from. */
export interface OperatorChainOptions {
  /** The vertex's operators after its source (or all of them when it reads from the network). */
  operators: OperatorSpec[];
  context: TaskContext;
  loader: FunctionLoader;
  /** The key selector of the chain's input edge, used by keyed operators (reduce, sum, count). */
  keySelector?: UserFunctionSpec;
  /** How keyed operators run: the job's runtime mode, and whether the input is pre-aggregated. STREAMING on records when unset. */
  keyedMode?: KeyedAggregationMode;
  /** The network output; required exactly when the last operator is not a sink. */
  output?: RecordWriter;
  /** Where the chain's sink writes, when it ends in one. */
  sinks?: SinkOptions;
}

/** A chain of operators ending in a sink or in the task's network output. */
export class OperatorChain {
  private readonly specs: OperatorSpec[];
  private readonly sink: SinkWriter | undefined;
  private readonly output: RecordWriter;
  private operators: StreamOperator[] = [];
  private state: 'created' | 'open' | 'finished' | 'aborted' = 'created';
  private recordsOut = 0;

  /**
   * Checks the chain's shape and builds its sink (not yet opened).
   *
   * @throws InvalidArgumentError when the chain holds a source or driver, a sink that is not last,
   *   or lacks an output, or has both a sink and a network output, or `context` is not valid.
   */
  constructor(private readonly options: OperatorChainOptions) {
    const { operators, context } = options;
    checkTaskContext(context);
    const last = operators.at(-1);
    operators.forEach((spec, index) => {
      if (isSinkSpec(spec) ? index !== operators.length - 1 : !isTransformSpec(spec)) {
        throw new InvalidArgumentError(
          `task ${context.taskName}: operator "${spec.name}" (${spec.kind}) cannot be at position ${index + 1} of a chain`,
        );
      }
    });
    if (last && isSinkSpec(last)) {
      if (options.output)
        throw new InvalidArgumentError(
          `task ${context.taskName}: a chain that ends in the sink "${last.name}" has no network output`,
        );
      this.specs = operators.slice(0, -1);
      this.sink = createSinkWriter(last, context, options.sinks);
      this.output = this.sink;
    } else {
      if (!options.output)
        throw new InvalidArgumentError(
          `task ${context.taskName}: a chain that does not end in a sink needs a network output`,
        );
      this.specs = operators;
      this.output = options.output;
    }
  }

  /** How many records the chain has handed to its output (sink or network). */
  get numRecordsOut(): number {
    return this.recordsOut;
  }

  /** Loads the user functions and opens the sink. */
  async open(): Promise<void> {
    if (this.state !== 'created')
      throw new FailedPreconditionError(`task ${this.options.context.taskName}: the operator chain was opened already`);
    this.operators = await createStreamOperators(
      this.specs,
      this.options.loader,
      this.options.keySelector,
      this.options.keyedMode,
    );
    await this.sink?.open();
    this.state = 'open';
  }

  /**
   * Pushes one batch through every operator and hands the result, when not empty, to the output,
   * awaiting it. Errors thrown by user functions propagate unchanged.
   */
  async processBatch(records: unknown[]): Promise<void> {
    this.checkOpen();
    await this.pushFrom(0, records);
  }

  /** Ends the input: lets operators emit what they held back, then finishes the output. */
  async finish(): Promise<void> {
    this.checkOpen();
    for (let index = 0; index < this.operators.length; index++) {
      const held = this.operators[index].endInput?.();
      if (held && held.length > 0) await this.pushFrom(index + 1, held);
    }
    this.state = 'finished';
    await this.output.finish();
  }

  /**
   * Gives up: aborts the sink so a failed attempt leaves no partial output. The network output is
   * the task runner's to cancel. Safe to call at any point and more than once.
   */
  async abort(): Promise<void> {
    this.state = 'aborted';
    await this.sink?.abort();
  }

  /** The state of every stateful operator and of the sink, by operator key, for checkpoint `checkpointId`. */
  async snapshotState(checkpointId: number): Promise<Record<string, unknown>> {
    this.checkOpen();
    const states: Record<string, unknown> = {};
    this.operators.forEach((operator, index) => {
      const state = operator.snapshotState?.();
      if (state !== undefined) states[this.keyOf(index)] = state;
    });
    const sinkState = await this.sink?.snapshotState?.(checkpointId);
    if (sinkState !== undefined) states[this.keyOf(this.specs.length)] = sinkState;
    return states;
  }

  /** Restores every operator's and the sink's state from a checkpoint's `states`, by operator key. */
  async restoreState(states: Record<string, unknown>): Promise<void> {
    this.checkOpen();
    this.operators.forEach((operator, index) => {
      const state = states[this.keyOf(index)];
      if (state !== undefined) operator.restoreState?.(state);
    });
    await this.sink?.restoreState?.(states[this.keyOf(this.specs.length)]);
  }

  /** Tells the sink that checkpoint `checkpointId` completed; a sink that fails to commit fails the task at its next write. */
  notifyCheckpointComplete(checkpointId: number): void {
    void this.sink?.notifyCheckpointComplete?.(checkpointId);
  }

  /** The key of operator `index` (the sink is `specs.length`) in a snapshot: its uid, else its position. */
  private keyOf(index: number): string {
    const spec = index < this.specs.length ? this.specs[index] : this.options.operators.at(-1);
    return spec?.uid ?? `#${index}`;
  }

  private async pushFrom(first: number, input: unknown[]): Promise<void> {
    let records = input;
    for (let index = first; index < this.operators.length && records.length > 0; index++) {
      records = this.operators[index].processBatch(records);
    }
    if (records.length === 0) return;
    this.recordsOut += records.length;
    await this.output.emit(records);
  }

  private checkOpen(): void {
    if (this.state !== 'open')
      throw new FailedPreconditionError(
        `task ${this.options.context.taskName}: the operator chain is ${this.state}, not open`,
      );
  }
}
