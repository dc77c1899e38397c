/**
 * The `applications` table: the SQLite {@link ApplicationStore}. Rows of applications that have
 * not ended, once read, are kept in memory ({@link KeptRows}) and kept up to date by the writes made
 * here: this process is the only writer of its database, and every write to an application's
 * columns goes through this class or (for the event sequence) {@link SqliteApplicationEventStore},
 * which moves the kept row along.
 */
import { NotFoundError } from '../../../common/errors.js';
import type { SerializedError } from '../../../common/status.js';
import type { Application } from '../../model/Application.js';
import type { DriverAttempt } from '../../model/DriverAttempt.js';
import {
  APPLICATION_STATUSES,
  isTerminalApplicationStatus,
  type ApplicationStatus,
} from '../../model/ApplicationStatus.js';
import type {
  ApplicationChanges,
  ApplicationCount,
  ApplicationListRequest,
  ApplicationPage,
  ApplicationStore,
} from '../ApplicationStore.js';
import type { PageTokens } from '../pageToken.js';
import { KeptRows } from './KeptRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface ApplicationRow {
  ordinal: number;
  id: string;
  tenant: string;
  name: string;
  status: ApplicationStatus;
  mode: Application['mode'];
  detached: number;
  bundle_json: string;
  entry: string;
  args_json: string;
  driver_resources_json: string;
  parallelism: number;
  properties_json: string;
  savepoint_json: string | null;
  target_json: string;
  cluster_id: string | null;
  owns_cluster: number;
  driver_job_id: string;
  job_ids_json: string;
  failure_json: string | null;
  last_event_sequence: number;
  request_id: string | null;
  request_fingerprint: string;
  created_at: number;
  ended_at: number | null;
  client_main_ended_at: number | null;
  client_main_failure_json: string | null;
  driver_attempts: number;
  attempts_json: string;
}

const TERMINAL_SQL = "('FAILED', 'CANCELED', 'FINISHED')";
/** The statuses of applications that have not ended, listed so that a query can use the status index. */
const ACTIVE_SQL = `(${APPLICATION_STATUSES.filter((status) => !isTerminalApplicationStatus(status))
  .map((status) => `'${status}'`)
  .join(', ')})`;

/** The most application rows kept in memory; past it the oldest kept is dropped. */
const MAX_KEPT_ROWS = 10_000;

/** A new cache of application rows, shared by the store's repositories inside and outside units of work. */
export function keptApplications(): KeptRows<Application> {
  return new KeptRows<Application>({
    max: MAX_KEPT_ROWS,
    ended: (application) => isTerminalApplicationStatus(application.status),
  });
}

/** Applications in the state database. */
export class SqliteApplicationStore implements ApplicationStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
    private readonly kept: KeptRows<Application>,
    private readonly pages: PageTokens,
  ) {}

  insert(application: Application): Promise<void> {
    return this.access.write(() => {
      this.db
        .prepare(
          `INSERT INTO applications (id, tenant, name, status, mode, detached, bundle_json, entry, args_json, driver_resources_json, parallelism,
           properties_json, savepoint_json, target_json, cluster_id, owns_cluster, driver_job_id, job_ids_json, failure_json,
           last_event_sequence, request_id, request_fingerprint, created_at, ended_at, driver_attempts, attempts_json)
         VALUES (@id, @tenant, @name, @status, @mode, @detached, @bundle_json, @entry, @args_json, @driver_resources_json, @parallelism,
           @properties_json, @savepoint_json, @target_json, @cluster_id, @owns_cluster, @driver_job_id, @job_ids_json, @failure_json,
           0, @request_id, @request_fingerprint, @created_at, @ended_at, @driver_attempts, @attempts_json)`,
        )
        .run(toRow(application));
    });
  }

  find(id: string): Promise<Application | undefined> {
    return (this.access.now() && this.kept.answer(id)) || this.access.read(() => this.findNow(id));
  }

  get(id: string, tenant?: string): Promise<Application> {
    // A kept row of the tenant (or of any, without one) is answered as it was the last time.
    const kept = this.access.now() && (tenant === undefined || this.kept.get(id)?.tenant === tenant);
    return (
      (kept && this.kept.answer(id)) ||
      this.access.read(() => {
        const application = this.findNow(id);
        if (!application || (tenant !== undefined && application.tenant !== tenant))
          throw new NotFoundError(`application ${JSON.stringify(id)} is not known to this control plane`);
        return application;
      })
    );
  }

  findByRequestId(requestId: string, tenant: string): Promise<Application | undefined> {
    return this.access.read(() => {
      const row = this.db
        .prepare('SELECT * FROM applications WHERE request_id = ? AND tenant = ?')
        .get(requestId, tenant) as ApplicationRow | undefined;
      return row && fromRow(row);
    });
  }

  update(id: string, changes: ApplicationChanges): Promise<void> {
    return this.access.write(() => {
      const assignments: string[] = [];
      const values: Record<string, unknown> = { id };
      const set = (column: string, value: unknown) => {
        assignments.push(`${column} = @${column}`);
        values[column] = value;
      };
      if (changes.status !== undefined) set('status', changes.status);
      if (changes.clusterId !== undefined) set('cluster_id', changes.clusterId || null);
      if (changes.ownsCluster !== undefined) set('owns_cluster', changes.ownsCluster ? 1 : 0);
      if (changes.driverJobId !== undefined) set('driver_job_id', changes.driverJobId);
      if (changes.jobIds !== undefined) set('job_ids_json', JSON.stringify(changes.jobIds));
      if ('failure' in changes) set('failure_json', changes.failure ? JSON.stringify(changes.failure) : null);
      if (changes.endTime !== undefined) set('ended_at', changes.endTime.getTime());
      if (changes.clientMainEndTime !== undefined) set('client_main_ended_at', changes.clientMainEndTime.getTime());
      if (changes.attempts !== undefined) set('attempts_json', JSON.stringify(changes.attempts));
      if ('clientMainFailure' in changes)
        set('client_main_failure_json', changes.clientMainFailure ? JSON.stringify(changes.clientMainFailure) : null);
      if (assignments.length === 0) return;
      this.db.prepare(`UPDATE applications SET ${assignments.join(', ')} WHERE id = @id`).run(values);
      this.kept.update(id, (kept) => withChanges(kept, changes));
    });
  }

  list(request: ApplicationListRequest): Promise<ApplicationPage> {
    return this.access.read(() => {
      const { statuses, tenant } = request;
      const filter = statuses.length > 0 ? `AND status IN (${statuses.map(() => '?').join(', ')})` : '';
      const { rows, nextPageToken } = this.pages.readPage(
        'applications',
        request,
        (before, limit) =>
          this.db
            .prepare(
              `SELECT * FROM applications WHERE tenant = ? AND ordinal < ? ${filter} ORDER BY ordinal DESC LIMIT ?`,
            )
            .all(tenant, before, ...statuses, limit) as ApplicationRow[],
      );
      return { applications: rows.map(fromRow), nextPageToken };
    });
  }

  countActive(tenant: string): Promise<number> {
    return this.access.read(() => {
      const row = this.db
        .prepare(`SELECT COUNT(*) AS count FROM applications WHERE tenant = ? AND status NOT IN ${TERMINAL_SQL}`)
        .get(tenant) as { count: number };
      return row.count;
    });
  }

  countByStatusAndMode(): Promise<ApplicationCount[]> {
    return this.access.read(
      () =>
        this.db
          .prepare('SELECT tenant, status, mode, COUNT(*) AS count FROM applications GROUP BY tenant, status, mode')
          .all() as ApplicationCount[],
    );
  }

  active(): Promise<Application[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(`SELECT * FROM applications WHERE status NOT IN ${TERMINAL_SQL} ORDER BY ordinal`)
        .all() as ApplicationRow[];
      return rows.map(fromRow);
    });
  }

  awaitingClientMain(): Promise<string[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(
          `SELECT id FROM applications WHERE status IN ${ACTIVE_SQL} AND mode IN ('SESSION', 'PER_JOB') AND client_main_ended_at IS NULL ORDER BY ordinal`,
        )
        .all() as { id: string }[];
      return rows.map((row) => row.id);
    });
  }

  activeOnCluster(clusterId: string): Promise<Application[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(`SELECT * FROM applications WHERE cluster_id = ? AND status NOT IN ${TERMINAL_SQL} ORDER BY ordinal`)
        .all(clusterId) as ApplicationRow[];
      return rows.map(fromRow);
    });
  }

  /** The kept row, or the row read and kept. */
  private findNow(id: string): Application | undefined {
    const kept = this.kept.get(id);
    if (kept) return kept;
    const row = this.db.prepare('SELECT * FROM applications WHERE id = ?').get(id) as ApplicationRow | undefined;
    return row && this.kept.keep(fromRow(row));
  }
}

function toRow(
  application: Application,
): Omit<ApplicationRow, 'ordinal' | 'last_event_sequence' | 'client_main_ended_at' | 'client_main_failure_json'> {
  return {
    id: application.id,
    tenant: application.tenant,
    name: application.name,
    status: application.status,
    mode: application.mode,
    detached: application.detached ? 1 : 0,
    bundle_json: JSON.stringify(application.bundle),
    entry: application.entry,
    args_json: JSON.stringify(application.args),
    driver_resources_json: JSON.stringify(application.driverResources),
    parallelism: application.parallelism,
    properties_json: JSON.stringify(application.properties),
    savepoint_json: application.savepoint ? JSON.stringify(application.savepoint) : null,
    target_json: JSON.stringify(application.target),
    cluster_id: application.clusterId || null,
    owns_cluster: application.ownsCluster ? 1 : 0,
    driver_job_id: application.driverJobId,
    job_ids_json: JSON.stringify(application.jobIds),
    failure_json: application.failure ? JSON.stringify(application.failure) : null,
    request_id: application.requestId || null,
    request_fingerprint: application.requestFingerprint,
    created_at: application.createTime.getTime(),
    ended_at: application.endTime ? application.endTime.getTime() : null,
    driver_attempts: application.driverAttempts,
    attempts_json: JSON.stringify(application.attempts),
  };
}

/** `application` with `changes` applied, as reading its row back after an update would give it. */
function withChanges(application: Application, changes: ApplicationChanges): Application {
  const changed: Application = { ...application };
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  if (changes.status !== undefined) changed.status = changes.status;
  if (changes.clusterId !== undefined) changed.clusterId = changes.clusterId;
  if (changes.ownsCluster !== undefined) changed.ownsCluster = changes.ownsCluster;
  if (changes.driverJobId !== undefined) changed.driverJobId = changes.driverJobId;
  if (changes.jobIds !== undefined) changed.jobIds = copy(changes.jobIds);
  if (changes.attempts !== undefined) changed.attempts = attemptsFromJson(JSON.stringify(changes.attempts));
  if ('failure' in changes) {
    if (changes.failure) changed.failure = copy(changes.failure);
    else delete changed.failure;
  }
  if (changes.endTime !== undefined) changed.endTime = new Date(changes.endTime.getTime());
  if (changes.clientMainEndTime !== undefined)
    changed.clientMainEndTime = new Date(changes.clientMainEndTime.getTime());
  if ('clientMainFailure' in changes) {
    if (changes.clientMainFailure) changed.clientMainFailure = copy(changes.clientMainFailure);
    else delete changed.clientMainFailure;
  }
  return changed;
}

function fromRow(row: ApplicationRow): Application {
  const application: Application = {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    status: row.status,
    mode: row.mode,
    detached: row.detached === 1,
    bundle: JSON.parse(row.bundle_json),
    entry: row.entry,
    args: JSON.parse(row.args_json),
    target: JSON.parse(row.target_json),
    driverResources: JSON.parse(row.driver_resources_json),
    parallelism: row.parallelism,
    properties: JSON.parse(row.properties_json),
    clusterId: row.cluster_id ?? '',
    ownsCluster: row.owns_cluster === 1,
    driverJobId: row.driver_job_id,
    jobIds: JSON.parse(row.job_ids_json),
    createTime: new Date(row.created_at),
    lastEventSequence: row.last_event_sequence,
    requestId: row.request_id ?? '',
    requestFingerprint: row.request_fingerprint,
    driverAttempts: row.driver_attempts,
    attempts: attemptsFromJson(row.attempts_json),
  };
  if (row.savepoint_json) application.savepoint = JSON.parse(row.savepoint_json);
  if (row.ended_at !== null) application.endTime = new Date(row.ended_at);
  if (row.failure_json) application.failure = JSON.parse(row.failure_json) as SerializedError;
  if (row.client_main_ended_at !== null) application.clientMainEndTime = new Date(row.client_main_ended_at);
  if (row.client_main_failure_json)
    application.clientMainFailure = JSON.parse(row.client_main_failure_json) as SerializedError;
  return application;
}

/** Driver attempts as stored (JSON, dates as ISO strings) with their dates back. */
function attemptsFromJson(json: string): DriverAttempt[] {
  return (
    JSON.parse(json) as (Omit<DriverAttempt, 'startTime' | 'endTime'> & { startTime: string; endTime?: string })[]
  ).map(({ startTime, endTime, ...attempt }) => ({
    ...attempt,
    startTime: new Date(startTime),
    ...(endTime === undefined ? {} : { endTime: new Date(endTime) }),
  }));
}
