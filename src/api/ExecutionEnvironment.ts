/**
 * The entry point of a bundle's `main(env, args)` (Flink's StreamExecutionEnvironment): it makes
 * sources, remembers the sinks declared on streams, and on `execute()` turns them into one job
 * graph and hands it to the submitter. The same code runs unchanged whether the submitter talks
 * to a remote cluster, to the driver's own cluster or to an in-process mini cluster.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../common/errors.js';
import { CHECKPOINTING_INTERVAL_PROPERTY } from '../jobgraph/CheckpointingSettings.js';
import type { OperatorSpec } from '../jobgraph/jobGraph.js';
import {
  parseRuntimeExecutionMode,
  type RuntimeExecutionMode,
  type RuntimeExecutionModeName,
} from '../jobgraph/RuntimeExecutionMode.js';
import {
  describeValue,
  requireFunction,
  requireFunctionOptions,
  requireInteger,
  requireNonEmptyString,
  requireParallelism,
  requireSerializableRecords,
} from './argumentChecks.js';
import { buildJobGraph, type JobGraphTranslation } from './buildJobGraph.js';
import { DataStream } from './DataStream.js';
import {
  compileExecutionEnvironmentOptions,
  type CompiledExecutionEnvironmentOptions,
  type ExecutionEnvironmentOptions,
} from './ExecutionEnvironmentOptions.js';
import { livingPriorityOf, type ExecuteOptions, type JobLivingPriority } from './ExecuteOptions.js';
import { JobClient } from './JobClient.js';
import { Logger } from './Logger.js';
import type { JobExecutionResult } from './JobExecutionResult.js';
import type { FunctionOptions } from './FunctionOptions.js';
import type { StreamContext } from './StreamContext.js';
import type { OperatorTransformation } from './Transformation.js';

/** Options of {@link ExecutionEnvironment.readTextFile}. */
export interface ReadTextFileOptions {
  /** Watch the folder for new files at this interval, in milliseconds, without end. */
  monitorIntervalMs?: number;
}

/** Options of {@link ExecutionEnvironment.fromGenerator}. */
export interface GeneratorOptions {
  /** How many records to emit over all subtasks; without end when not given. */
  count?: number;
  /** The most records per second over all subtasks; as fast as they are taken when not given. */
  recordsPerSecond?: number;
}

/** Options of {@link ExecutionEnvironment.fromJetStream}. */
export interface JetStreamSourceOptions {
  /** The NATS server URL(s), such as `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** The JetStream stream to read. */
  stream: string;
  /** Only messages of this subject; every subject of the stream when not given. */
  subject?: string;
  /** The first stream sequence to read when the job does not restore a position; the stream's first when not given. */
  startSequence?: number;
}

/** The name of a job executed without one, as Flink's "Flink Streaming Job". */
export const DEFAULT_JOB_NAME = 'Flotilla Streaming Job';

/** Makes sources and executes the pipelines built on them. */
export class ExecutionEnvironment {
  private readonly options: CompiledExecutionEnvironmentOptions;
  private parallelism: number;
  private runtimeMode: RuntimeExecutionMode;
  private checkpointIntervalMs: number | undefined;
  private sinks: OperatorTransformation[] = [];
  private lastTransformationId = 0;
  private readonly context: StreamContext;

  constructor(options: ExecutionEnvironmentOptions) {
    this.options = compileExecutionEnvironmentOptions(options);
    this.parallelism = this.options.defaultParallelism;
    this.runtimeMode = this.options.runtimeMode;
    this.context = {
      nextTransformationId: () => ++this.lastTransformationId,
      capture: (method, fn, functionOptions) => {
        requireFunction(method, fn);
        requireFunctionOptions(method, functionOptions);
        return this.options.captureFunction(
          fn,
          functionOptions?.with === undefined ? {} : { bound: functionOptions.with },
        );
      },
      addSink: (sink) => {
        this.sinks.push(sink);
      },
      executeAndCollect: async (sink, jobName) => {
        const { client, translation } = await this.submit('DataStream.executeAndCollect()', jobName, sink);
        const result = await client.getJobExecutionResult();
        return result.getCollected(translation.sinkVertexIds.get(sink) as string);
      },
    };
  }

  /**
   * A logger of user code (Flink's `LoggerFactory.getLogger`): leveled and structured, its lines go
   * to the driver log's LOGGER stream (`flotilla logs APP`) in driver and application modes and to
   * stderr in session mode. Lines below the `logger.level` property (`info` by default) are dropped.
   */
  getLogger(name = 'main'): Logger {
    requireNonEmptyString('ExecutionEnvironment.getLogger()', name, 'a logger name');
    return new Logger(name, this.options.logSink, this.options.logLevel);
  }

  /** A source that emits `items` in order, from one subtask. The items travel with the job graph. */
  fromCollection<T>(items: Iterable<T>): DataStream<T> {
    if (
      items === null ||
      items === undefined ||
      typeof (items as Iterable<T>)[Symbol.iterator] !== 'function' ||
      typeof items === 'string'
    ) {
      throw new InvalidArgumentError(
        `ExecutionEnvironment.fromCollection() expects an array or another iterable, got ${describeValue(items)}`,
      );
    }
    const records = [...items];
    requireSerializableRecords('ExecutionEnvironment.fromCollection()', records);
    return this.source<T>(
      'Source: Collection',
      { kind: 'collectionSource', name: 'Source: Collection', records },
      true,
    );
  }

  /**
   * A source that emits the lines of a file (or of the files in a folder), split over its subtasks.
   * With `monitorIntervalMs` (Flink's `monitorContinuously`) it watches the folder for new files at
   * that interval and never ends: each new file is read whole, once, by one subtask, so files
   * should appear complete (written elsewhere and moved in). Such a job runs in STREAMING mode.
   */
  readTextFile(path: string, options?: ReadTextFileOptions): DataStream<string> {
    requireNonEmptyString('ExecutionEnvironment.readTextFile()', path, 'a path');
    const interval = options?.monitorIntervalMs;
    if (interval !== undefined && (!Number.isSafeInteger(interval) || interval < 1))
      throw new InvalidArgumentError(
        `ExecutionEnvironment.readTextFile() expects "monitorIntervalMs" to be a whole number of milliseconds of at least 1, got ${describeValue(interval)}`,
      );
    return this.source<string>(
      'Source: Text File',
      { kind: 'textFileSource', name: 'Source: Text File', path, ...(interval ? { monitorIntervalMs: interval } : {}) },
      false,
    );
  }

  /**
   * A parallel source that emits `fn(0)`, `fn(1)`, … (Flink's DataGeneratorSource): up to `count`
   * records, or without end when no count is given (the job then runs in STREAMING mode), at most
   * `recordsPerSecond` records per second over all subtasks when given.
   */
  fromGenerator<T>(fn: (index: number) => T, options?: GeneratorOptions & FunctionOptions): DataStream<T> {
    const method = 'ExecutionEnvironment.fromGenerator()';
    const { count, recordsPerSecond, ...functionOptions } = options ?? {};
    if (count !== undefined) requireInteger(method, count, '"count"');
    if (count !== undefined && count < 0)
      throw new InvalidArgumentError(`${method} expects "count" to be at least 0, got ${count}`);
    if (
      recordsPerSecond !== undefined &&
      !(typeof recordsPerSecond === 'number' && recordsPerSecond > 0 && Number.isFinite(recordsPerSecond))
    )
      throw new InvalidArgumentError(
        `${method} expects "recordsPerSecond" to be a positive number, got ${describeValue(recordsPerSecond)}`,
      );
    const spec = this.context.capture(method, fn, functionOptions);
    return this.source<T>(
      'Source: Generator',
      {
        kind: 'generatorSource',
        name: 'Source: Generator',
        fn: spec,
        ...(count !== undefined ? { count } : {}),
        ...(recordsPerSecond !== undefined ? { recordsPerSecond } : {}),
      },
      false,
    );
  }

  /**
   * A parallel source that emits the messages of a NATS JetStream stream as text, without end (the
   * job runs in STREAMING mode). Its position, the stream sequence, is part of every checkpoint,
   * so a job restored from one reads on from there: no message is emitted twice or lost.
   */
  fromJetStream(options: JetStreamSourceOptions): DataStream<string> {
    const method = 'ExecutionEnvironment.fromJetStream()';
    const servers = typeof options?.servers === 'string' ? [options.servers] : options?.servers;
    if (
      !Array.isArray(servers) ||
      servers.length === 0 ||
      servers.some((server) => typeof server !== 'string' || !server)
    )
      throw new InvalidArgumentError(
        `${method} expects "servers" as a URL or a list of URLs, such as "nats://127.0.0.1:4222"`,
      );
    requireNonEmptyString(method, options.stream, 'a stream name');
    if (options.subject !== undefined) requireNonEmptyString(method, options.subject, 'a subject');
    if (options.startSequence !== undefined) requireInteger(method, options.startSequence, '"startSequence"');
    return this.source<string>(
      'Source: JetStream',
      {
        kind: 'jetStreamSource',
        name: 'Source: JetStream',
        servers,
        stream: options.stream,
        ...(options.subject ? { subject: options.subject } : {}),
        ...(options.startSequence ? { startSequence: options.startSequence } : {}),
      },
      false,
    );
  }

  /**
   * Takes a checkpoint of every job executed from now on every `intervalMs` milliseconds (Flink's
   * `enableCheckpointing`), overriding the `execution.checkpointing.interval` property. Only
   * STREAMING jobs take checkpoints; where they are kept is the run configuration's
   * `state.checkpoints.dir` (the job manager's memory when unset) and how many,
   * `state.checkpoints.num-retained` (1).
   */
  enableCheckpointing(intervalMs: number): this {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1)
      throw new InvalidArgumentError(
        `ExecutionEnvironment.enableCheckpointing() expects an interval of at least 1 ms, got ${describeValue(intervalMs)}`,
      );
    this.checkpointIntervalMs = intervalMs;
    return this;
  }

  /** A parallel source that emits the integers `from` to `to`, both included. */
  generateSequence(from: number, to: number): DataStream<number> {
    requireInteger('ExecutionEnvironment.generateSequence()', from, '"from"');
    requireInteger('ExecutionEnvironment.generateSequence()', to, '"to"');
    if (from > to) {
      throw new InvalidArgumentError(
        `ExecutionEnvironment.generateSequence() expects "from" <= "to", got ${from} > ${to}`,
      );
    }
    return this.source<number>(
      'Source: Sequence',
      { kind: 'sequenceSource', name: 'Source: Sequence', from, to },
      false,
    );
  }

  /** Sets the parallelism of operators that set none; it applies to jobs executed from now on. */
  setParallelism(parallelism: number): this {
    requireParallelism('ExecutionEnvironment.setParallelism()', parallelism);
    this.parallelism = parallelism;
    return this;
  }

  /** The parallelism of operators that set none. */
  getParallelism(): number {
    return this.parallelism;
  }

  /**
   * Sets how jobs executed from now on run (Flink's `setRuntimeMode`), overriding the
   * `execution.runtime-mode` property: `'STREAMING'` (keyed aggregations emit a running value per
   * record), `'BATCH'` (one final value per key when the input ends, with a pre-aggregation
   * before the exchange) or `'AUTOMATIC'` (BATCH when every source is bounded), in any letter case.
   */
  setRuntimeMode(mode: RuntimeExecutionModeName): this {
    this.runtimeMode = parseRuntimeExecutionMode(mode, 'ExecutionEnvironment.setRuntimeMode()');
    return this;
  }

  /** The runtime mode jobs are built with, as set (AUTOMATIC is resolved per job, from its sources). */
  getRuntimeMode(): RuntimeExecutionMode {
    return this.runtimeMode;
  }

  /**
   * Executes every sink declared since the last execution as one job and waits for it to end.
   * Rejects with a JobExecutionError, whose cause is the user's error, when the job fails.
   */
  async execute(jobName?: string): Promise<JobExecutionResult> {
    const { client } = await this.submit('ExecutionEnvironment.execute()', jobName);
    return client.getJobExecutionResult();
  }

  /**
   * Executes every sink declared since the last execution as one job and returns once it was
   * submitted. In driver and application modes, `main()` may return while the job runs: the
   * application stays RUNNING until its jobs end, or it is cancelled, so a streaming job started
   * this way runs until `flotilla cancel` (FLIP-40: the user chooses `execute()` to wait, this to
   * not wait). With `{ livingPriority: 'DAEMON' }` the job does not keep the application alive: it
   * is cancelled once the application's driver and NORMAL jobs have ended.
   */
  async executeAsync(jobName?: string, options?: ExecuteOptions): Promise<JobClient> {
    const method = 'ExecutionEnvironment.executeAsync()';
    const livingPriority = livingPriorityOf(method, options);
    return (await this.submit(method, jobName, undefined, livingPriority)).client;
  }

  /**
   * Builds the graph and clears the declared sinks before the first `await`, so a pipeline
   * declared while this job is being submitted belongs to the next job, not this one.
   */
  private async submit(
    method: string,
    jobName: string | undefined,
    collectSink?: OperatorTransformation,
    livingPriority: JobLivingPriority = 'NORMAL',
  ): Promise<{ client: JobClient; translation: JobGraphTranslation }> {
    if (jobName !== undefined) requireNonEmptyString(method, jobName, 'a job name');
    const sinks = collectSink === undefined ? this.sinks : [...this.sinks, collectSink];
    if (sinks.length === 0) {
      throw new FailedPreconditionError('no sinks defined; add print(), writeAsText() or collect() before execute()');
    }
    const name = jobName ?? DEFAULT_JOB_NAME;
    const translation = buildJobGraph(sinks, {
      jobName: this.options.jobNamePrefix === undefined ? name : `${this.options.jobNamePrefix}: ${name}`,
      defaultParallelism: this.parallelism,
      bundle: this.options.bundle,
      restartStrategy: this.options.restartStrategy,
      properties:
        this.checkpointIntervalMs === undefined
          ? this.options.properties
          : { ...this.options.properties, [CHECKPOINTING_INTERVAL_PROPERTY]: String(this.checkpointIntervalMs) },
      runtimeMode: this.runtimeMode,
      preAggregation: this.options.preAggregation,
    });
    this.sinks = [];
    const job = await this.options.submitter.submit(
      translation.graph,
      livingPriority === 'NORMAL' ? undefined : { livingPriority },
    );
    return { client: new JobClient(job, translation.graph), translation };
  }

  private source<T>(name: string, operator: OperatorSpec, nonParallel: boolean): DataStream<T> {
    const id = this.context.nextTransformationId();
    return new DataStream<T>(this.context, { type: 'operator', id, operator, name, nonParallel });
  }
}
