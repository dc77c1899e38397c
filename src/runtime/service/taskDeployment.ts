/**
 * Converts task deployment descriptors between `flotilla.v1.TaskDeploymentDescriptor` and the
 * domain. A descriptor only ever comes from this cluster's job master, but it is still checked
 * here: a task executor must refuse a deployment it cannot run with a message, not crash on it.
 */
import type { TaskDeploymentDescriptor as DescriptorMessage } from '../../../generated/flotilla/v1/task_executor_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { TaskDeploymentDescriptor } from '../TaskDeploymentDescriptor.js';
import { isKeyedAggregation } from '../../jobgraph/keyedAggregation.js';
import {
  bundleFromMessage,
  bundleToMessage,
  operatorFromMessage,
  operatorToMessage,
  runtimeModeFromMessage,
  runtimeModeToMessage,
  shipStrategyFromMessage,
  shipStrategyToMessage,
  userFunctionFromMessage,
} from './jobGraph.js';
import { resourceProfileFromMessage, resourceProfileToMessage } from './slots.js';

/** A domain descriptor as its proto message. */
export function taskDeploymentToMessage(descriptor: TaskDeploymentDescriptor): DescriptorMessage {
  const { restore, ...rest } = descriptor;
  return {
    ...rest,
    checkpointing: descriptor.checkpointing === true,
    restoredState: Buffer.from(restore?.state ?? new Uint8Array(0)),
    restoredCheckpointId: BigInt(restore?.checkpointId ?? 0),
    operators: descriptor.operators.map(operatorToMessage),
    inputs: descriptor.inputs.map((gate) => ({
      sourceVertexId: gate.sourceVertexId,
      shipStrategy: shipStrategyToMessage(gate.shipStrategy),
      channels: gate.channels,
      keySelector: gate.keySelector,
      preAggregated: gate.preAggregated === true,
    })),
    outputs: descriptor.outputs.map((partition) => ({
      partitionId: partition.partitionId,
      targetVertexId: partition.targetVertexId,
      shipStrategy: shipStrategyToMessage(partition.shipStrategy),
      subpartitions: partition.subpartitions,
      keySelector: partition.keySelector,
      preAggregation: partition.preAggregation && operatorToMessage(partition.preAggregation),
    })),
    bundle: bundleToMessage(descriptor.bundle),
    resources: resourceProfileToMessage(descriptor.resources),
    runtimeMode: runtimeModeToMessage(descriptor.runtimeMode),
  };
}

/** A proto descriptor as the domain's; anything a task could not run is INVALID_ARGUMENT. */
export function taskDeploymentFromMessage(message: DescriptorMessage | undefined): TaskDeploymentDescriptor {
  if (!message) throw new InvalidArgumentError('task is required: the deployment descriptor of the attempt to run');
  const where = `task ${message.vertexName || message.vertexId} (${message.subtaskIndex + 1}/${message.parallelism})`;
  for (const field of ['jobId', 'vertexId', 'executionAttemptId', 'allocationId'] as const) {
    if (!message[field]) throw new InvalidArgumentError(`${where}: ${field} is required`);
  }
  if (message.parallelism < 1 || message.subtaskIndex >= message.parallelism) {
    throw new InvalidArgumentError(`${where}: subtask_index must be below parallelism`);
  }
  if (message.operators.length === 0) throw new InvalidArgumentError(`${where}: it has no operators`);
  const hashKey = (
    shipStrategy: string,
    keySelector: DescriptorMessage['inputs'][number]['keySelector'],
    at: string,
  ) => (shipStrategy === 'hash' ? userFunctionFromMessage(keySelector, `${at} key_selector`) : undefined);
  return {
    jobId: message.jobId,
    jobName: message.jobName,
    vertexId: message.vertexId,
    vertexName: message.vertexName || message.vertexId,
    subtaskIndex: message.subtaskIndex,
    parallelism: message.parallelism,
    attemptNumber: message.attemptNumber,
    executionAttemptId: message.executionAttemptId,
    allocationId: message.allocationId,
    operators: message.operators.map((operator, index) => operatorFromMessage(operator, `${where} operator ${index}`)),
    inputs: message.inputs.map((gate, index) => {
      const at = `${where} input ${index}`;
      const shipStrategy = shipStrategyFromMessage(gate.shipStrategy, at);
      if (gate.channels.length === 0) throw new InvalidArgumentError(`${at}: it has no channels`);
      const keySelector = hashKey(shipStrategy, gate.keySelector, at);
      return {
        sourceVertexId: gate.sourceVertexId,
        shipStrategy,
        channels: gate.channels,
        keySelector,
        ...(gate.preAggregated ? { preAggregated: true } : {}),
      };
    }),
    outputs: message.outputs.map((partition, index) => {
      const at = `${where} output ${index}`;
      const shipStrategy = shipStrategyFromMessage(partition.shipStrategy, at);
      if (!partition.partitionId) throw new InvalidArgumentError(`${at}: partition_id is required`);
      if (partition.subpartitions < 1) throw new InvalidArgumentError(`${at}: subpartitions must be at least 1`);
      const preAggregation =
        partition.preAggregation && operatorFromMessage(partition.preAggregation, `${at} pre_aggregation`);
      if (preAggregation && (shipStrategy !== 'hash' || !isKeyedAggregation(preAggregation))) {
        throw new InvalidArgumentError(`${at}: pre_aggregation must be a keyed reduce, sum or count on a HASH output`);
      }
      return {
        partitionId: partition.partitionId,
        targetVertexId: partition.targetVertexId,
        shipStrategy,
        subpartitions: partition.subpartitions,
        keySelector: hashKey(shipStrategy, partition.keySelector, at),
        ...(preAggregation ? { preAggregation } : {}),
      };
    }),
    bundle: bundleFromMessage(message.bundle),
    resources: resourceProfileFromMessage(message.resources),
    applicationId: message.applicationId,
    jobmanagerAddress: message.jobmanagerAddress,
    runtimeMode: runtimeModeFromMessage(message.runtimeMode, where),
    ...(message.checkpointing ? { checkpointing: true } : {}),
    ...(message.restoredCheckpointId > 0n
      ? {
          restore: { checkpointId: Number(message.restoredCheckpointId), state: new Uint8Array(message.restoredState) },
        }
      : {}),
  };
}
