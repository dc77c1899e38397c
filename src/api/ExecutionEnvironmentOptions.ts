/**
 * How an {@link ExecutionEnvironment} is made: options in, `compileExecutionEnvironmentOptions()`
 * fills defaults and refuses nonsense once, so the environment itself never deals with missing
 * values. Whoever starts `main()` (the CLI, a driver job, a mini cluster) builds these options;
 * the user's code only receives the finished environment.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { BundleReference, RestartStrategy } from '../jobgraph/jobGraph.js';
import {
  parseRuntimeExecutionMode,
  RUNTIME_MODE_PROPERTY,
  type RuntimeExecutionMode,
  type RuntimeExecutionModeName,
} from '../jobgraph/RuntimeExecutionMode.js';
import { describeValue, requireFunction, requireParallelism } from './argumentChecks.js';
import type { FunctionCapturer } from './FunctionCapturer.js';
import type { JobSubmitter } from './JobSubmitter.js';
import { DEFAULT_LOG_LEVEL, LOGGER_LEVEL_PROPERTY, parseLogLevel, type LogLevel, type LogSink } from './Logger.js';

/** What an environment is made with. */
export interface ExecutionEnvironmentOptions {
  /** Where jobs go when executed. */
  submitter: JobSubmitter;
  /** Turns inline functions into shippable specs; refuses functions that capture local variables. */
  captureFunction: FunctionCapturer;
  /** The parallelism of operators that set none; 1 by default. */
  defaultParallelism?: number;
  /** Put before every job name as `prefix: name`; a driver's jobs get the application's name. */
  jobNamePrefix?: string;
  /** The bundle the job's functions come from; jobs carry it so task executors can load its modules. */
  bundle?: BundleReference;
  /** What jobs do when a task fails; the cluster's default when unset. */
  restartStrategy?: RestartStrategy;
  /** Dynamic properties (`-Dkey=value`) every job carries. */
  properties?: Record<string, string>;
  /**
   * How jobs run: STREAMING (running values per record), BATCH (final values per key) or
   * AUTOMATIC (BATCH when every source is bounded). When unset, the `execution.runtime-mode`
   * property, else {@link DEFAULT_RUNTIME_MODE}.
   */
  runtimeMode?: RuntimeExecutionModeName;
  /**
   * Where the lines of `env.getLogger()` go: a driver's go to its log's LOGGER stream; this
   * process's stderr when unset (session mode, where main() runs in the client).
   */
  logSink?: LogSink;
}

/**
 * The mode of an environment nobody set one for. Flink's default is STREAMING, because its jobs
 * mostly read unbounded streams; every source here is bounded, and what a user of a bounded job
 * expects (as in Spark, Beam or Flink's own batch mode) is one result per key, not a running
 * value per record. AUTOMATIC gives that, and will keep giving streaming semantics to jobs that
 * read unbounded sources once there are some.
 */
export const DEFAULT_RUNTIME_MODE: RuntimeExecutionMode = 'AUTOMATIC';

/**
 * The property that turns the BATCH pre-aggregation (combiner) off: `false` sends every record
 * through the exchange, for reduce functions that break Flink's contract of being associative.
 */
export const PRE_AGGREGATION_PROPERTY = 'execution.batch.pre-aggregation';

/** The options with defaults filled in. */
export interface CompiledExecutionEnvironmentOptions {
  submitter: JobSubmitter;
  captureFunction: FunctionCapturer;
  defaultParallelism: number;
  /** Undefined when jobs keep their own names. */
  jobNamePrefix?: string;
  bundle?: BundleReference;
  restartStrategy?: RestartStrategy;
  properties: Record<string, string>;
  runtimeMode: RuntimeExecutionMode;
  /** Whether BATCH jobs pre-aggregate before keyed aggregations ({@link PRE_AGGREGATION_PROPERTY}). */
  preAggregation: boolean;
  logSink: LogSink;
  /** The least severe level loggers write ({@link LOGGER_LEVEL_PROPERTY}). */
  logLevel: LogLevel;
}

/** Fills defaults and checks the options; throws InvalidArgumentError for anything unusable. */
export function compileExecutionEnvironmentOptions(
  options: ExecutionEnvironmentOptions,
): CompiledExecutionEnvironmentOptions {
  const {
    submitter,
    captureFunction,
    defaultParallelism = 1,
    jobNamePrefix,
    bundle,
    restartStrategy,
    properties = {},
    logSink = writeToStderr,
  } = options;
  if (typeof submitter?.submit !== 'function') {
    throw new InvalidArgumentError(
      `ExecutionEnvironment needs a submitter with a submit(graph) method, got ${describeValue(submitter)}`,
    );
  }
  requireFunction('ExecutionEnvironment', captureFunction, 'a captureFunction');
  requireParallelism('ExecutionEnvironment', defaultParallelism);
  requireFunction('ExecutionEnvironment', logSink, 'a logSink');
  if (jobNamePrefix !== undefined && typeof jobNamePrefix !== 'string') {
    throw new InvalidArgumentError(
      `ExecutionEnvironment expects jobNamePrefix as a string, got ${describeValue(jobNamePrefix)}`,
    );
  }
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(
        `ExecutionEnvironment expects property "${key}" as a string, got ${describeValue(value)}`,
      );
    }
  }
  const runtimeMode =
    options.runtimeMode !== undefined
      ? parseRuntimeExecutionMode(options.runtimeMode, 'ExecutionEnvironment option runtimeMode')
      : parseRuntimeExecutionMode(
          properties[RUNTIME_MODE_PROPERTY] ?? DEFAULT_RUNTIME_MODE,
          `the property ${RUNTIME_MODE_PROPERTY}`,
        );
  const preAggregation = parseBoolean(
    properties[PRE_AGGREGATION_PROPERTY] ?? 'true',
    `the property ${PRE_AGGREGATION_PROPERTY}`,
  );
  const compiled: CompiledExecutionEnvironmentOptions = {
    submitter,
    captureFunction,
    defaultParallelism,
    properties: { ...properties },
    runtimeMode,
    preAggregation,
    logSink,
    logLevel: parseLogLevel(
      properties[LOGGER_LEVEL_PROPERTY] ?? DEFAULT_LOG_LEVEL,
      `the property ${LOGGER_LEVEL_PROPERTY}`,
    ),
  };
  if (jobNamePrefix !== undefined && jobNamePrefix.trim() !== '') compiled.jobNamePrefix = jobNamePrefix;
  if (bundle !== undefined) compiled.bundle = bundle;
  if (restartStrategy !== undefined) compiled.restartStrategy = restartStrategy;
  return compiled;
}

function parseBoolean(value: string, where: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true' || normalized === 'false') return normalized === 'true';
  throw new InvalidArgumentError(`${where} expects true or false, got ${JSON.stringify(value)}`);
}

function writeToStderr(line: string): void {
  process.stderr.write(line);
}
