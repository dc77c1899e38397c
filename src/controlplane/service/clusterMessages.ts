/** Converts clusters and cluster specs between `flotilla.v1` messages and the control plane's domain. */
import type {
  Cluster as ClusterMessage,
  ClusterSpec as ClusterSpecMessage,
} from '../../../generated/flotilla/v1/resources.js';
import { serializedErrorToMessage } from '../../rpc/convert/status.js';
import type { ClusterSpecInput } from '../clusters/compileClusterSpec.js';
import type { Cluster, ClusterSpec } from '../model/Cluster.js';
import { clusterStatusToMessage } from './enums.js';

/** A domain cluster as its proto message. */
export function clusterToMessage(cluster: Cluster): ClusterMessage {
  return {
    id: cluster.id,
    name: cluster.name,
    status: clusterStatusToMessage(cluster.status),
    jobmanagerAddress: cluster.jobmanagerAddress,
    spec: clusterSpecToMessage(cluster.spec),
    ownerApplicationId: cluster.ownerApplicationId,
    registeredTaskExecutors: cluster.registeredTaskExecutors,
    createTime: cluster.createTime,
    endTime: cluster.endTime,
    failure: cluster.failure && serializedErrorToMessage(cluster.failure),
    deploymentTarget: cluster.deploymentTarget,
  };
}

/** A domain cluster spec as its proto message. */
export function clusterSpecToMessage(spec: ClusterSpec): ClusterSpecMessage {
  return {
    taskExecutors: spec.taskExecutors,
    slotsPerTaskExecutor: spec.slotsPerTaskExecutor,
    taskExecutorResources: spec.taskExecutorResources && { ...spec.taskExecutorResources },
    properties: { ...spec.properties },
  };
}

/** A proto cluster spec as the domain's input (validated by compileClusterSpec); unset is all defaults. */
export function clusterSpecInputFromMessage(spec: ClusterSpecMessage | undefined): ClusterSpecInput {
  const resources = spec?.taskExecutorResources;
  return {
    taskExecutors: spec?.taskExecutors ?? 0,
    slotsPerTaskExecutor: spec?.slotsPerTaskExecutor ?? 0,
    taskExecutorResources: resources && { ...resources },
    properties: { ...spec?.properties },
  };
}
