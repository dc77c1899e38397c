/**
 * Everything a task executor needs to run one execution attempt of one subtask: its operators,
 * where its inputs come from and where its outputs go. Mirrors `flotilla.v1.TaskDeploymentDescriptor`.
 */
import type {
  BundleReference,
  OperatorSpec,
  ResourceProfile,
  ShipStrategy,
  UserFunctionSpec,
} from '../jobgraph/jobGraph.js';
import type { KeyedAggregationSpec } from '../jobgraph/keyedAggregation.js';
import type { ResolvedRuntimeMode } from '../jobgraph/RuntimeExecutionMode.js';

/** One input channel: a producer subtask's subpartition. */
export interface InputChannelDescriptor {
  producerAddress: string;
  partitionId: string;
  subpartitionIndex: number;
}

/** One input of a task: one incoming edge, one channel per producer subtask. */
export interface InputGateDescriptor {
  sourceVertexId: string;
  shipStrategy: ShipStrategy;
  keySelector?: UserFunctionSpec;
  channels: InputChannelDescriptor[];
  /** Whether the producers pre-aggregated by key, so records are partial aggregates (JobEdge.preAggregate). */
  preAggregated?: boolean;
}

/** One output of a task: one outgoing edge, one subpartition per consumer subtask. */
export interface ResultPartitionDescriptor {
  partitionId: string;
  targetVertexId: string;
  shipStrategy: ShipStrategy;
  subpartitions: number;
  keySelector?: UserFunctionSpec;
  /** For a pre-aggregated edge: the consumer's keyed aggregation, which this task applies per key before sending. */
  preAggregation?: KeyedAggregationSpec;
}

/** One execution attempt to deploy. */
export interface TaskDeploymentDescriptor {
  jobId: string;
  jobName: string;
  vertexId: string;
  vertexName: string;
  subtaskIndex: number;
  parallelism: number;
  attemptNumber: number;
  executionAttemptId: string;
  allocationId: string;
  operators: OperatorSpec[];
  inputs: InputGateDescriptor[];
  outputs: ResultPartitionDescriptor[];
  bundle?: BundleReference;
  resources: ResourceProfile;
  applicationId: string;
  jobmanagerAddress: string;
  /** The job's runtime mode; absent means STREAMING. */
  runtimeMode?: ResolvedRuntimeMode;
  /** Whether the job takes checkpoints (its sinks then commit only what a completed checkpoint covers). */
  checkpointing?: boolean;
  /** The checkpoint this attempt restores its state from, when it does not start afresh. */
  restore?: TaskRestore;
}

/** The state a subtask restores from: its part of a completed checkpoint. */
export interface TaskRestore {
  checkpointId: number;
  /** The subtask's snapshot as it acknowledged it (v8-serialized {@link TaskStateSnapshot}). */
  state: Uint8Array;
}

/** The id of the partition an attempt produces for one consumer vertex. */
export function partitionIdOf(executionAttemptId: string, targetVertexId: string): string {
  return `${executionAttemptId}/${targetVertexId}`;
}
