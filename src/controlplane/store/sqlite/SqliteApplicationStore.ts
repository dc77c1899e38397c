/**
 * The `applications` table: the SQLite {@link ApplicationStore}. Rows of applications that have
 * not ended, once read, are kept in memory ({@link KeptRows}) and kept up to date by the writes made
 * here: this process is the only writer of its database, and every write to an application's
 * columns goes through this class or (for the event sequence) {@link SqliteApplicationEventStore},
 * which moves the kept row along.
 */
import { NotFoundError } from '../../../common/errors.js';
import type { Application } from '../../model/Application.js';
import { APPLICATION_STATUSES, isTerminalApplicationStatus } from '../../model/ApplicationStatus.js';
import type {
  ApplicationChanges,
  ApplicationCount,
  ApplicationListRequest,
  ApplicationPage,
  ApplicationStore,
  AwaitedClientMain,
} from '../ApplicationStore.js';
import type { PageTokens } from '../pageToken.js';
import {
  applicationChangeColumns,
  applicationFromRow,
  applicationToRow,
  attemptsFromJson,
  type ApplicationRow as Row,
} from '../rows/applicationRow.js';
import { KeptRows } from './KeptRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import { SQLITE_COLUMNS } from './sqliteColumns.js';
import type { StateDatabase } from './stateDatabase.js';

type ApplicationRow = Row<number, number>;

/** The application of a row of this database. */
const fromRow = (row: ApplicationRow): Application => applicationFromRow(row, SQLITE_COLUMNS);

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
           last_event_sequence, request_id, request_fingerprint, created_at, ended_at, driver_attempts, attempts_json,
           driver_retry_own_failures)
         VALUES (@id, @tenant, @name, @status, @mode, @detached, @bundle_json, @entry, @args_json, @driver_resources_json, @parallelism,
           @properties_json, @savepoint_json, @target_json, @cluster_id, @owns_cluster, @driver_job_id, @job_ids_json, @failure_json,
           0, @request_id, @request_fingerprint, @created_at, @ended_at, @driver_attempts, @attempts_json,
           @driver_retry_own_failures)`,
        )
        .run(applicationToRow(application, SQLITE_COLUMNS));
    });
  }

  find(id: string): Promise<Application | undefined> {
    return (this.access.now() && this.kept.answer(id)) || this.access.read(() => this.findNow(id));
  }

  /** Units run one at a time on SQLite: nothing can change the row between this read and the unit's writes. */
  findForUpdate(id: string): Promise<Application | undefined> {
    return this.find(id);
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

  findLatestByName(name: string, tenant: string): Promise<Application | undefined> {
    return this.access.read(() => {
      const row = this.db
        .prepare('SELECT * FROM applications WHERE tenant = ? AND name = ? ORDER BY ordinal DESC LIMIT 1')
        .get(tenant, name) as ApplicationRow | undefined;
      return row && fromRow(row);
    });
  }

  update(id: string, changes: ApplicationChanges): Promise<void> {
    return this.access.write(() => {
      const columns = applicationChangeColumns(changes, SQLITE_COLUMNS);
      if (columns.length === 0) return;
      this.db
        .prepare(
          `UPDATE applications SET ${columns.map(([column]) => `${column} = @${column}`).join(', ')} WHERE id = @id`,
        )
        .run({ id, ...Object.fromEntries(columns) });
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

  awaitingClientMain(): Promise<AwaitedClientMain[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(
          `SELECT id, client_heartbeat_at FROM applications WHERE status IN ${ACTIVE_SQL} AND mode IN ('SESSION', 'PER_JOB') AND client_main_ended_at IS NULL ORDER BY ordinal`,
        )
        .all() as { id: string; client_heartbeat_at: number | null }[];
      const now = Date.now();
      return rows.map((row) => ({
        applicationId: row.id,
        silentMs: row.client_heartbeat_at === null ? undefined : Math.max(0, now - row.client_heartbeat_at),
      }));
    });
  }

  /** Only this column: the kept row (the Application) does not hold it. */
  recordClientHeartbeat(id: string): Promise<void> {
    return this.access.write(() => {
      this.db.prepare('UPDATE applications SET client_heartbeat_at = ? WHERE id = ?').run(Date.now(), id);
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
  if (changes.lastSavepoint !== undefined)
    changed.lastSavepoint = { ...copy(changes.lastSavepoint), createTime: new Date(changes.lastSavepoint.createTime) };
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
