/** The operators a task runs: sources, chained operators, sinks, partitioning and the pipeline that wires them. */
export { canonicalKey } from '../../runtime/partitioning/canonicalKey.js';
export { CollectSinkWriter, type RecordCollector } from './CollectSinkWriter.js';
export { CountAccumulator } from './CountAccumulator.js';
export { createSinkWriter, isSinkSpec, type SinkOptions, type SinkSpec } from './createSinkWriter.js';
export {
  createSource,
  DEFAULT_BATCH_SIZE,
  DEFAULT_READ_CHUNK_SIZE,
  isSourceSpec,
  type SourceOptions,
  type SourceSpec,
} from './createSource.js';
export { createKeyedAggregation } from './createKeyedAggregation.js';
export { createOutputPartitioner, type OutputPartitionerOptions } from './createOutputPartitioner.js';
export { createStreamOperators, isKeyedSpec, isTransformSpec, type TransformSpec } from './createStreamOperators.js';
export { FilterOperator } from './FilterOperator.js';
export { FlatMapOperator } from './FlatMapOperator.js';
export { formatRecord } from './formatRecord.js';
export type { FunctionLoader, UserFunction } from './FunctionLoader.js';
export type { KeyedAccumulator } from './KeyedAccumulator.js';
export { STREAMING_AGGREGATION, type KeyedAggregationMode } from './KeyedAggregationMode.js';
export { KeyedAggregationOperator } from './KeyedAggregationOperator.js';
export { KeyedState } from './KeyedState.js';
export { MapOperator } from './MapOperator.js';
export { OperatorChain, type OperatorChainOptions } from './OperatorChain.js';
export type { OutputPartitioner } from './OutputPartitioner.js';
export {
  DEFAULT_PRE_AGGREGATION_MAX_KEYS,
  PreAggregatingPartitioner,
  type PreAggregatingPartitionerOptions,
} from './PreAggregatingPartitioner.js';
export { PrintSinkWriter, printPrefix } from './PrintSinkWriter.js';
export {
  RecordPartitioner,
  type RecordPartitionerOptions,
  type RecordPartitionerSpecOptions,
} from './RecordPartitioner.js';
export type { RecordWriter } from './RecordWriter.js';
export { ReduceAccumulator } from './ReduceAccumulator.js';
export { runTaskPipeline, type TaskPipelineOptions, type TaskPipelineResult } from './runTaskPipeline.js';
export { selectChannel } from '../../runtime/partitioning/selectChannel.js';
export type { SinkWriter } from './SinkWriter.js';
export { stableHash32 } from '../../runtime/partitioning/stableHash32.js';
export type { StreamOperator } from './StreamOperator.js';
export { SumAccumulator } from './SumAccumulator.js';
export { checkTaskContext, type TaskContext } from './TaskContext.js';
export { DEFAULT_WRITE_BUFFER_SIZE, TextFileSinkWriter } from './TextFileSinkWriter.js';
