/**
 * A stream of records of type `T` (Flink's DataStream): the value `main()` chains operators on.
 * Each call only records a node of the logical pipeline and checks its arguments there and then;
 * nothing runs until the environment executes the sinks.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { OperatorSpec, ShipStrategy, UserFunctionSpec } from '../jobgraph/jobGraph.js';
import { describeValue, requireNonEmptyString, requireParallelism } from './argumentChecks.js';
import { DataStreamSink } from './DataStreamSink.js';
import type { FunctionOptions } from './FunctionOptions.js';
import { KeyedStream } from './KeyedStream.js';
import type { StreamContext } from './StreamContext.js';
import type { OperatorTransformation, PartitionTransformation, Transformation } from './Transformation.js';

/** Options of {@link DataStream.writeAsText}. */
export interface WriteAsTextOptions {
  /** Replace an existing file or folder instead of failing (Flink's `WriteMode.OVERWRITE`); false by default. */
  overwrite?: boolean;
}

/** A stream of records of type `T`. */
export class DataStream<T> {
  /** @internal Streams are made by {@link ExecutionEnvironment} sources and by operators. */
  constructor(
    protected readonly context: StreamContext,
    readonly transformation: Transformation,
  ) {}

  /** Applies `fn` to every record. */
  map<R>(fn: (value: T) => R, options?: FunctionOptions): DataStream<R> {
    const spec = this.context.capture('DataStream.map()', fn, options);
    return this.addOperator<R>('Map', { kind: 'map', name: 'Map', fn: spec });
  }

  /** Applies `fn` to every record and emits every element of the iterable it returns. */
  flatMap<R>(fn: (value: T) => Iterable<R>, options?: FunctionOptions): DataStream<R> {
    const spec = this.context.capture('DataStream.flatMap()', fn, options);
    return this.addOperator<R>('Flat Map', { kind: 'flatMap', name: 'Flat Map', fn: spec });
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: (value: T) => boolean, options?: FunctionOptions): DataStream<T> {
    const spec = this.context.capture('DataStream.filter()', fn, options);
    return this.addOperator<T>('Filter', { kind: 'filter', name: 'Filter', fn: spec });
  }

  /** Partitions the stream by the key `keySelector` returns, for keyed aggregations. */
  keyBy<K>(keySelector: (value: T) => K, options?: FunctionOptions): KeyedStream<T, K> {
    const spec = this.context.capture('DataStream.keyBy()', keySelector, options);
    return new KeyedStream<T, K>(this.context, this.partition('hash', spec));
  }

  /** Spreads records round-robin over the next operator's subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.context, this.partition('rebalance'));
  }

  /** Sends every record to every subtask of the next operator. */
  broadcast(): DataStream<T> {
    return new DataStream<T>(this.context, this.partition('broadcast'));
  }

  /** Sets how many subtasks run the operator that made this stream; by default the environment's parallelism. */
  setParallelism(parallelism: number): this {
    requireParallelism('DataStream.setParallelism()', parallelism);
    const operator = this.operatorFor('setParallelism()');
    if (operator.nonParallel && parallelism !== 1) {
      throw new InvalidArgumentError(
        `DataStream.setParallelism(): "${operator.name}" is not a parallel operator; its parallelism is 1`,
      );
    }
    operator.parallelism = parallelism;
    return this;
  }

  /** Names the operator that made this stream, as shown in vertex names. */
  name(name: string): this {
    requireNonEmptyString('DataStream.name()', name, 'a name');
    this.operatorFor('name()').name = name;
    return this;
  }

  /**
   * Gives the operator that made this stream a stable id (Flink's `uid`): its state in checkpoints
   * and savepoints is filed under it, so it survives changes to the rest of the pipeline.
   */
  uid(uid: string): this {
    requireNonEmptyString('DataStream.uid()', uid, 'an id');
    const operator = this.operatorFor('uid()');
    operator.uid = uid;
    return this;
  }

  /** Writes records as lines of text (`String(record)`) to `path`, a file per subtask when parallel. */
  writeAsText(path: string, options?: WriteAsTextOptions): DataStreamSink<T> {
    requireNonEmptyString('DataStream.writeAsText()', path, 'a path');
    const overwrite = options?.overwrite ?? false;
    if (typeof overwrite !== 'boolean') {
      throw new InvalidArgumentError(
        `DataStream.writeAsText() expects "overwrite" to be a boolean, got ${describeValue(overwrite)}`,
      );
    }
    return this.sink('Sink: Text File', { kind: 'textFileSink', name: 'Sink: Text File', path, overwrite });
  }

  /** Prints records to the task's standard output, each after `prefix> ` when a prefix is given. */
  print(prefix = ''): DataStreamSink<T> {
    if (typeof prefix !== 'string') {
      throw new InvalidArgumentError(`DataStream.print() expects a prefix as a string, got ${describeValue(prefix)}`);
    }
    return this.sink('Sink: Print', { kind: 'printSink', name: 'Sink: Print', prefix });
  }

  /**
   * Adds a collect sink, executes a job with it and every other sink declared since the last
   * execution, and returns the records this stream produced. Rejects like `execute()` when the job fails.
   */
  async executeAndCollect(jobName?: string): Promise<T[]> {
    const sink = this.operatorTransformation('Sink: Collect', { kind: 'collectSink', name: 'Sink: Collect' }, true);
    return (await this.context.executeAndCollect(sink, jobName)) as T[];
  }

  /** The same as {@link DataStream.executeAndCollect}. */
  collect(jobName?: string): Promise<T[]> {
    return this.executeAndCollect(jobName);
  }

  private addOperator<R>(name: string, operator: OperatorSpec): DataStream<R> {
    return new DataStream<R>(this.context, this.operatorTransformation(name, operator, false));
  }

  private sink(name: string, operator: OperatorSpec): DataStreamSink<T> {
    const sink = this.operatorTransformation(name, operator, false);
    this.context.addSink(sink);
    return new DataStreamSink<T>(sink);
  }

  private operatorTransformation(name: string, operator: OperatorSpec, nonParallel: boolean): OperatorTransformation {
    const id = this.context.nextTransformationId();
    return { type: 'operator', id, input: this.transformation, operator, name, nonParallel };
  }

  private partition(
    shipStrategy: Exclude<ShipStrategy, 'forward'>,
    keySelector?: UserFunctionSpec,
  ): PartitionTransformation {
    const id = this.context.nextTransformationId();
    return { type: 'partition', id, input: this.transformation, shipStrategy, ...(keySelector ? { keySelector } : {}) };
  }

  private operatorFor(method: string): OperatorTransformation {
    if (this.transformation.type === 'operator') return this.transformation;
    const partitioning = this.transformation.shipStrategy === 'hash' ? 'keyBy' : this.transformation.shipStrategy;
    throw new InvalidArgumentError(
      `DataStream.${method} applies to an operator, but this stream comes from ${partitioning}(); call it on the operator before or after`,
    );
  }
}
