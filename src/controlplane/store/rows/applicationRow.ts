/** The columns of the `applications` table an application is written to and read from, in either store. */
import type { SerializedError } from '../../../common/status.js';
import type { Application } from '../../model/Application.js';
import type { ApplicationStatus } from '../../model/ApplicationStatus.js';
import type { DriverAttempt } from '../../model/DriverAttempt.js';
import type { ApplicationSavepoint } from '../../model/ApplicationSavepoint.js';
import type { ApplicationChanges } from '../ApplicationStore.js';
import type { ColumnCodec } from './ColumnCodec.js';

/** A row as a store reads it, with its database's instants and flags. */
export interface ApplicationRow<Time, Flag> {
  ordinal: number;
  id: string;
  tenant: string;
  name: string;
  status: ApplicationStatus;
  mode: Application['mode'];
  detached: Flag;
  bundle_json: string;
  entry: string;
  args_json: string;
  driver_resources_json: string;
  parallelism: number;
  properties_json: string;
  savepoint_json: string | null;
  target_json: string;
  cluster_id: string | null;
  owns_cluster: Flag;
  driver_job_id: string;
  job_ids_json: string;
  failure_json: string | null;
  last_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: Time;
  ended_at: Time | null;
  client_main_ended_at: Time | null;
  client_main_failure_json: string | null;
  driver_attempts: number;
  attempts_json: string;
  driver_retry_own_failures: Flag;
  last_savepoint_json: string | null;
}

/** The columns a new application is inserted with (the others take their defaults). */
export type NewApplicationRow<Time, Flag> = Omit<
  ApplicationRow<Time, Flag>,
  'ordinal' | 'last_event_sequence' | 'client_main_ended_at' | 'client_main_failure_json' | 'last_savepoint_json'
>;

/** The columns of a new application. */
export function applicationToRow<Time, Flag>(
  application: Application,
  codec: ColumnCodec<Time, Flag>,
): NewApplicationRow<Time, Flag> {
  return {
    id: application.id,
    tenant: application.tenant,
    name: application.name,
    status: application.status,
    mode: application.mode,
    detached: codec.toFlag(application.detached),
    bundle_json: JSON.stringify(application.bundle),
    entry: application.entry,
    args_json: JSON.stringify(application.args),
    driver_resources_json: JSON.stringify(application.driverResources),
    parallelism: application.parallelism,
    properties_json: JSON.stringify(application.properties),
    savepoint_json: application.savepoint ? JSON.stringify(application.savepoint) : null,
    target_json: JSON.stringify(application.target),
    cluster_id: application.clusterId || null,
    owns_cluster: codec.toFlag(application.ownsCluster),
    driver_job_id: application.driverJobId,
    job_ids_json: JSON.stringify(application.jobIds),
    failure_json: application.failure ? JSON.stringify(application.failure) : null,
    request_id: application.requestId || null,
    request_fingerprint: application.requestFingerprint,
    created_at: codec.instant(application.createTime),
    ended_at: application.endTime ? codec.instant(application.endTime) : null,
    driver_attempts: application.driverAttempts,
    attempts_json: JSON.stringify(application.attempts),
    driver_retry_own_failures: codec.toFlag(application.driverRetryOwnFailures),
  };
}

/** The application of a row. */
export function applicationFromRow<Time, Flag>(
  row: ApplicationRow<Time, Flag>,
  codec: ColumnCodec<Time, Flag>,
): Application {
  const application: Application = {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    status: row.status,
    mode: row.mode,
    detached: codec.flag(row.detached),
    bundle: JSON.parse(row.bundle_json),
    entry: row.entry,
    args: JSON.parse(row.args_json),
    target: JSON.parse(row.target_json),
    driverResources: JSON.parse(row.driver_resources_json),
    parallelism: row.parallelism,
    properties: JSON.parse(row.properties_json),
    clusterId: row.cluster_id ?? '',
    ownsCluster: codec.flag(row.owns_cluster),
    driverJobId: row.driver_job_id,
    jobIds: JSON.parse(row.job_ids_json),
    createTime: codec.date(row.created_at),
    lastEventSequence: row.last_event_sequence,
    requestId: row.request_id ?? '',
    requestFingerprint: row.request_fingerprint,
    driverAttempts: row.driver_attempts,
    attempts: attemptsFromJson(row.attempts_json),
    driverRetryOwnFailures: codec.flag(row.driver_retry_own_failures),
  };
  if (row.savepoint_json) application.savepoint = JSON.parse(row.savepoint_json);
  if (row.last_savepoint_json) application.lastSavepoint = savepointFromJson(row.last_savepoint_json);
  if (row.ended_at !== null) application.endTime = codec.date(row.ended_at);
  if (row.failure_json) application.failure = JSON.parse(row.failure_json) as SerializedError;
  if (row.client_main_ended_at !== null) application.clientMainEndTime = codec.date(row.client_main_ended_at);
  if (row.client_main_failure_json)
    application.clientMainFailure = JSON.parse(row.client_main_failure_json) as SerializedError;
  return application;
}

/** The columns an update with `changes` assigns, with their values, in order. */
export function applicationChangeColumns<Time, Flag>(
  changes: ApplicationChanges,
  codec: ColumnCodec<Time, Flag>,
): Array<[column: string, value: unknown]> {
  const columns: Array<[string, unknown]> = [];
  const json = (value: unknown) => (value ? JSON.stringify(value) : null);
  if (changes.status !== undefined) columns.push(['status', changes.status]);
  if (changes.clusterId !== undefined) columns.push(['cluster_id', changes.clusterId || null]);
  if (changes.ownsCluster !== undefined) columns.push(['owns_cluster', codec.toFlag(changes.ownsCluster)]);
  if (changes.driverJobId !== undefined) columns.push(['driver_job_id', changes.driverJobId]);
  if (changes.jobIds !== undefined) columns.push(['job_ids_json', JSON.stringify(changes.jobIds)]);
  if ('failure' in changes) columns.push(['failure_json', json(changes.failure)]);
  if (changes.endTime !== undefined) columns.push(['ended_at', codec.instant(changes.endTime)]);
  if (changes.clientMainEndTime !== undefined)
    columns.push(['client_main_ended_at', codec.instant(changes.clientMainEndTime)]);
  if ('clientMainFailure' in changes) columns.push(['client_main_failure_json', json(changes.clientMainFailure)]);
  if (changes.attempts !== undefined) columns.push(['attempts_json', JSON.stringify(changes.attempts)]);
  if (changes.lastSavepoint !== undefined) columns.push(['last_savepoint_json', JSON.stringify(changes.lastSavepoint)]);
  return columns;
}

/** A savepoint as stored (JSON, its date as an ISO string) with its date back. */
function savepointFromJson(json: string): ApplicationSavepoint {
  const { createTime, ...savepoint } = JSON.parse(json) as Omit<ApplicationSavepoint, 'createTime'> & {
    createTime: string;
  };
  return { ...savepoint, createTime: new Date(createTime) };
}

/** Driver attempts as stored (JSON, dates as ISO strings) with their dates back. */
export function attemptsFromJson(json: string): DriverAttempt[] {
  return (
    JSON.parse(json) as (Omit<DriverAttempt, 'startTime' | 'endTime'> & { startTime: string; endTime?: string })[]
  ).map(({ startTime, endTime, ...attempt }) => ({
    ...attempt,
    startTime: new Date(startTime),
    ...(endTime === undefined ? {} : { endTime: new Date(endTime) }),
  }));
}
