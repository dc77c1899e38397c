/** The user API a bundle's `main(env, args)` imports. */
export { DataStream, type WriteAsTextOptions } from './DataStream.js';
export { DataStreamSink } from './DataStreamSink.js';
export {
  DEFAULT_JOB_NAME,
  ExecutionEnvironment,
  type GeneratorOptions,
  type JetStreamSourceOptions,
  type ReadTextFileOptions,
} from './ExecutionEnvironment.js';
export {
  compileExecutionEnvironmentOptions,
  DEFAULT_RUNTIME_MODE,
  PRE_AGGREGATION_PROPERTY,
  type CompiledExecutionEnvironmentOptions,
  type ExecutionEnvironmentOptions,
} from './ExecutionEnvironmentOptions.js';
export { livingPriorityOf, type ExecuteOptions, type JobLivingPriority } from './ExecuteOptions.js';
export type { FunctionCapturer } from './FunctionCapturer.js';
export type { FunctionOptions } from './FunctionOptions.js';
export { JobClient } from './JobClient.js';
export { JobExecutionError, type JobExecutionErrorDetails } from './JobExecutionError.js';
export { JobExecutionResult } from './JobExecutionResult.js';
export type { JobResultWithRecords, JobSubmitOptions, JobSubmitter, SubmittedJob } from './JobSubmitter.js';
export {
  DEFAULT_LOG_LEVEL,
  formatLogLine,
  LOG_LEVELS,
  Logger,
  LOGGER_LEVEL_PROPERTY,
  type LogFields,
  type LogLevel,
  type LogSink,
} from './Logger.js';
export { KeyedStream } from './KeyedStream.js';
export {
  RUNTIME_MODE_PROPERTY,
  RuntimeExecutionMode,
  type RuntimeExecutionModeName,
} from '../jobgraph/RuntimeExecutionMode.js';
