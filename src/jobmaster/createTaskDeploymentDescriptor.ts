/**
 * Builds the deployment descriptor of one execution attempt from the job graph and the attempts of
 * the same restart: where each input channel's producer runs (forward edges read the producer of
 * the same subtask index, every other edge reads every producer) and what each output partition is.
 */
import type { JobGraph, JobVertex } from '../jobgraph/jobGraph.js';
import { isKeyedAggregation } from '../jobgraph/keyedAggregation.js';
import { ANY_RESOURCES } from '../runtime/SlotStatus.js';
import type { Execution } from './Execution.js';
import { partitionIdOf, type TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';

/** The job-level facts every descriptor carries. */
export interface DeploymentContext {
  jobId: string;
  graph: JobGraph;
  applicationId: string;
  jobmanagerAddress: string;
  /** The attempts of this restart, by vertex id, in subtask order. */
  attempts: Map<string, Execution[]>;
  /** Whether the job takes checkpoints. */
  checkpointing?: boolean;
}

/** The descriptor of `execution`, a subtask of `vertex`. */
export function createTaskDeploymentDescriptor(
  context: DeploymentContext,
  vertex: JobVertex,
  execution: Execution,
): TaskDeploymentDescriptor {
  const { graph, attempts } = context;
  const inputs = graph.edges
    .filter((edge) => edge.targetVertexId === vertex.id)
    .map((edge) => ({
      sourceVertexId: edge.sourceVertexId,
      shipStrategy: edge.shipStrategy,
      keySelector: edge.keySelector,
      ...(edge.preAggregate ? { preAggregated: true } : {}),
      channels: (edge.shipStrategy === 'forward'
        ? [attempts.get(edge.sourceVertexId)![execution.subtaskIndex]]
        : attempts.get(edge.sourceVertexId)!
      ).map((producer) => ({
        producerAddress: producer.slot.address,
        partitionId: partitionIdOf(producer.executionAttemptId, vertex.id),
        subpartitionIndex: edge.shipStrategy === 'forward' ? 0 : execution.subtaskIndex,
      })),
    }));
  const outputs = graph.edges
    .filter((edge) => edge.sourceVertexId === vertex.id)
    .map((edge) => {
      const target = graph.vertices.find((v) => v.id === edge.targetVertexId)!;
      const head = target.operators[0];
      return {
        partitionId: partitionIdOf(execution.executionAttemptId, edge.targetVertexId),
        targetVertexId: edge.targetVertexId,
        shipStrategy: edge.shipStrategy,
        subpartitions: edge.shipStrategy === 'forward' ? 1 : target.parallelism,
        keySelector: edge.keySelector,
        // The graph was validated: a pre-aggregated edge leads to a keyed aggregation.
        ...(edge.preAggregate && isKeyedAggregation(head) ? { preAggregation: head } : {}),
      };
    });
  return {
    jobId: context.jobId,
    jobName: graph.name,
    vertexId: vertex.id,
    vertexName: vertex.name,
    subtaskIndex: execution.subtaskIndex,
    parallelism: vertex.parallelism,
    attemptNumber: execution.attemptNumber,
    executionAttemptId: execution.executionAttemptId,
    allocationId: execution.slot.allocationId,
    operators: vertex.operators,
    inputs,
    outputs,
    bundle: graph.bundle,
    resources: vertex.resources ?? ANY_RESOURCES,
    applicationId: context.applicationId,
    jobmanagerAddress: context.jobmanagerAddress,
    runtimeMode: graph.runtimeMode ?? 'STREAMING',
    ...(context.checkpointing ? { checkpointing: true } : {}),
  };
}
