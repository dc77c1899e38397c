/** The columns of the PostgreSQL `applications` table an application is written to and read from. */
import type { SerializedError } from '../../../common/status.js';
import type { Application } from '../../model/Application.js';
import type { ApplicationStatus } from '../../model/ApplicationStatus.js';

/** A row as the store reads it (bigint columns arrive as numbers, instants as dates). */
export interface ApplicationRow {
  ordinal: number;
  id: string;
  tenant: string;
  name: string;
  status: ApplicationStatus;
  mode: Application['mode'];
  detached: boolean;
  bundle_json: string;
  entry: string;
  args_json: string;
  driver_resources_json: string;
  parallelism: number;
  properties_json: string;
  savepoint_json: string | null;
  target_json: string;
  cluster_id: string | null;
  owns_cluster: boolean;
  driver_job_id: string;
  job_ids_json: string;
  failure_json: string | null;
  last_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: Date;
  ended_at: Date | null;
  client_main_ended_at: Date | null;
  client_main_failure_json: string | null;
}

/** The columns a new application is inserted with (the others take their defaults). */
export function applicationToRow(
  application: Application,
): Omit<ApplicationRow, 'ordinal' | 'last_event_sequence' | 'client_main_ended_at' | 'client_main_failure_json'> {
  return {
    id: application.id,
    tenant: application.tenant,
    name: application.name,
    status: application.status,
    mode: application.mode,
    detached: application.detached,
    bundle_json: JSON.stringify(application.bundle),
    entry: application.entry,
    args_json: JSON.stringify(application.args),
    driver_resources_json: JSON.stringify(application.driverResources),
    parallelism: application.parallelism,
    properties_json: JSON.stringify(application.properties),
    savepoint_json: application.savepoint ? JSON.stringify(application.savepoint) : null,
    target_json: JSON.stringify(application.target),
    cluster_id: application.clusterId || null,
    owns_cluster: application.ownsCluster,
    driver_job_id: application.driverJobId,
    job_ids_json: JSON.stringify(application.jobIds),
    failure_json: application.failure ? JSON.stringify(application.failure) : null,
    request_id: application.requestId || null,
    request_fingerprint: application.requestFingerprint,
    created_at: application.createTime,
    ended_at: application.endTime ?? null,
  };
}

/** The application of a row. */
export function applicationFromRow(row: ApplicationRow): Application {
  const application: Application = {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    status: row.status,
    mode: row.mode,
    detached: row.detached,
    bundle: JSON.parse(row.bundle_json),
    entry: row.entry,
    args: JSON.parse(row.args_json),
    target: JSON.parse(row.target_json),
    driverResources: JSON.parse(row.driver_resources_json),
    parallelism: row.parallelism,
    properties: JSON.parse(row.properties_json),
    clusterId: row.cluster_id ?? '',
    ownsCluster: row.owns_cluster,
    driverJobId: row.driver_job_id,
    jobIds: JSON.parse(row.job_ids_json),
    createTime: row.created_at,
    lastEventSequence: row.last_event_sequence,
    requestId: row.request_id ?? '',
    requestFingerprint: row.request_fingerprint,
  };
  if (row.savepoint_json) application.savepoint = JSON.parse(row.savepoint_json);
  if (row.ended_at !== null) application.endTime = row.ended_at;
  if (row.failure_json) application.failure = JSON.parse(row.failure_json) as SerializedError;
  if (row.client_main_ended_at !== null) application.clientMainEndTime = row.client_main_ended_at;
  if (row.client_main_failure_json)
    application.clientMainFailure = JSON.parse(row.client_main_failure_json) as SerializedError;
  return application;
}
