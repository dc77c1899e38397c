/** The columns of the `clusters` table a cluster is written to and read from, in either store. */
import type { SerializedError } from '../../../common/status.js';
import type { Cluster, ClusterStatus, DeploymentTargetName } from '../../model/Cluster.js';
import type { ClusterChanges } from '../ClusterStore.js';
import type { ColumnCodec } from './ColumnCodec.js';

/** A row as a store reads it, with its database's instants. */
export interface ClusterRow<Time> {
  ordinal: number;
  id: string;
  tenant: string;
  cluster_secret: string;
  name: string;
  status: ClusterStatus;
  deployment_target: DeploymentTargetName;
  owner_application_id: string | null;
  jobmanager_address: string;
  spec_json: string;
  deployment_reference: string;
  registered_task_executors: number;
  last_job_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: Time;
  ended_at: Time | null;
  failure_json: string | null;
}

/** The cluster of a row. */
export function clusterFromRow<Time>(row: ClusterRow<Time>, codec: ColumnCodec<Time, unknown>): Cluster {
  const cluster: Cluster = {
    id: row.id,
    tenant: row.tenant,
    clusterSecret: row.cluster_secret,
    name: row.name,
    status: row.status,
    deploymentTarget: row.deployment_target,
    ownerApplicationId: row.owner_application_id ?? '',
    jobmanagerAddress: row.jobmanager_address,
    spec: JSON.parse(row.spec_json),
    deploymentReference: row.deployment_reference,
    registeredTaskExecutors: row.registered_task_executors,
    lastJobEventSequence: row.last_job_event_sequence,
    requestId: row.request_id ?? '',
    requestFingerprint: row.request_fingerprint,
    createTime: codec.date(row.created_at),
  };
  if (row.ended_at !== null) cluster.endTime = codec.date(row.ended_at);
  if (row.failure_json) cluster.failure = JSON.parse(row.failure_json) as SerializedError;
  return cluster;
}

/** The columns a new cluster is inserted with. */
export type NewClusterRow<Time> = Omit<ClusterRow<Time>, 'ordinal'>;

/** The columns of a new cluster. */
export function clusterToRow<Time>(cluster: Cluster, codec: ColumnCodec<Time, unknown>): NewClusterRow<Time> {
  return {
    id: cluster.id,
    tenant: cluster.tenant,
    cluster_secret: cluster.clusterSecret,
    name: cluster.name,
    status: cluster.status,
    deployment_target: cluster.deploymentTarget,
    owner_application_id: cluster.ownerApplicationId || null,
    jobmanager_address: cluster.jobmanagerAddress,
    spec_json: JSON.stringify(cluster.spec),
    deployment_reference: cluster.deploymentReference,
    registered_task_executors: cluster.registeredTaskExecutors,
    last_job_event_sequence: cluster.lastJobEventSequence,
    request_id: cluster.requestId || null,
    request_fingerprint: cluster.requestFingerprint,
    created_at: codec.instant(cluster.createTime),
    ended_at: cluster.endTime ? codec.instant(cluster.endTime) : null,
    failure_json: cluster.failure ? JSON.stringify(cluster.failure) : null,
  };
}

/** The columns an update with `changes` assigns, with their values, in order. */
export function clusterChangeColumns<Time>(
  changes: ClusterChanges,
  codec: ColumnCodec<Time, unknown>,
): Array<[column: string, value: unknown]> {
  const columns: Array<[string, unknown]> = [];
  if (changes.status !== undefined) columns.push(['status', changes.status]);
  if (changes.jobmanagerAddress !== undefined) columns.push(['jobmanager_address', changes.jobmanagerAddress]);
  if (changes.deploymentReference !== undefined) columns.push(['deployment_reference', changes.deploymentReference]);
  if (changes.registeredTaskExecutors !== undefined)
    columns.push(['registered_task_executors', changes.registeredTaskExecutors]);
  if ('failure' in changes) columns.push(['failure_json', changes.failure ? JSON.stringify(changes.failure) : null]);
  if (changes.endTime !== undefined) columns.push(['ended_at', codec.instant(changes.endTime)]);
  return columns;
}
