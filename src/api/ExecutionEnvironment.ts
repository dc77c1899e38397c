/**
 * The entry point of a bundle's `main(env, args)` (Flink's StreamExecutionEnvironment): it makes
 * sources, remembers the sinks declared on streams, and on `execute()` turns them into one job
 * graph and hands it to the submitter. The same code runs unchanged whether the submitter talks
 * to a remote cluster, to the driver's own cluster or to an in-process mini cluster.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../common/errors.js';
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
import { JobClient } from './JobClient.js';
import { Logger } from './Logger.js';
import type { JobExecutionResult } from './JobExecutionResult.js';
import type { StreamContext } from './StreamContext.js';
import type { OperatorTransformation } from './Transformation.js';

/** The name of a job executed without one, as Flink's "Flink Streaming Job". */
export const DEFAULT_JOB_NAME = 'Flotilla Streaming Job';

/** Makes sources and executes the pipelines built on them. */
export class ExecutionEnvironment {
  private readonly options: CompiledExecutionEnvironmentOptions;
  private parallelism: number;
  private runtimeMode: RuntimeExecutionMode;
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

  /** A source that emits the lines of a file (or of the files in a folder), split over its subtasks. */
  readTextFile(path: string): DataStream<string> {
    requireNonEmptyString('ExecutionEnvironment.readTextFile()', path, 'a path');
    return this.source<string>('Source: Text File', { kind: 'textFileSource', name: 'Source: Text File', path }, false);
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

  /** Executes every sink declared since the last execution as one job and returns once it was submitted. */
  async executeAsync(jobName?: string): Promise<JobClient> {
    return (await this.submit('ExecutionEnvironment.executeAsync()', jobName)).client;
  }

  /**
   * Builds the graph and clears the declared sinks before the first `await`, so a pipeline
   * declared while this job is being submitted belongs to the next job, not this one.
   */
  private async submit(
    method: string,
    jobName: string | undefined,
    collectSink?: OperatorTransformation,
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
      properties: this.options.properties,
      runtimeMode: this.runtimeMode,
      preAggregation: this.options.preAggregation,
    });
    this.sinks = [];
    const job = await this.options.submitter.submit(translation.graph);
    return { client: new JobClient(job, translation.graph), translation };
  }

  private source<T>(name: string, operator: OperatorSpec, nonParallel: boolean): DataStream<T> {
    const id = this.context.nextTransformationId();
    return new DataStream<T>(this.context, { type: 'operator', id, operator, name, nonParallel });
  }
}
