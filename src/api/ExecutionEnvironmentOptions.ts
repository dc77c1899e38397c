/**
 * How an {@link ExecutionEnvironment} is made: options in, `compileExecutionEnvironmentOptions()`
 * fills defaults and refuses nonsense once, so the environment itself never deals with missing
 * values. Whoever starts `main()` (the CLI, a driver job, a mini cluster) builds these options;
 * the user's code only receives the finished environment.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { BundleReference, RestartStrategy } from '../jobgraph/jobGraph.js';
import { describeValue, requireFunction, requireParallelism } from './argumentChecks.js';
import type { FunctionCapturer } from './FunctionCapturer.js';
import type { JobSubmitter } from './JobSubmitter.js';

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
}

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
}

/** Fills defaults and checks the options; throws InvalidArgumentError for anything unusable. */
export function compileExecutionEnvironmentOptions(options: ExecutionEnvironmentOptions): CompiledExecutionEnvironmentOptions {
  const { submitter, captureFunction, defaultParallelism = 1, jobNamePrefix, bundle, restartStrategy, properties = {} } = options;
  if (typeof submitter?.submit !== 'function') {
    throw new InvalidArgumentError(`ExecutionEnvironment needs a submitter with a submit(graph) method, got ${describeValue(submitter)}`);
  }
  requireFunction('ExecutionEnvironment', captureFunction, 'a captureFunction');
  requireParallelism('ExecutionEnvironment', defaultParallelism);
  if (jobNamePrefix !== undefined && typeof jobNamePrefix !== 'string') {
    throw new InvalidArgumentError(`ExecutionEnvironment expects jobNamePrefix as a string, got ${describeValue(jobNamePrefix)}`);
  }
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`ExecutionEnvironment expects property "${key}" as a string, got ${describeValue(value)}`);
    }
  }
  const compiled: CompiledExecutionEnvironmentOptions = { submitter, captureFunction, defaultParallelism, properties: { ...properties } };
  if (jobNamePrefix !== undefined && jobNamePrefix.trim() !== '') compiled.jobNamePrefix = jobNamePrefix;
  if (bundle !== undefined) compiled.bundle = bundle;
  if (restartStrategy !== undefined) compiled.restartStrategy = restartStrategy;
  return compiled;
}
