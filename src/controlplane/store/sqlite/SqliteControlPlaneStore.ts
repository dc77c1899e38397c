/**
 * The control plane's state in one SQLite file: the {@link ControlPlaneStore} over better-sqlite3
 * in WAL mode. Units of work share one transaction per turn of the event loop, each in a savepoint
 * ({@link TransactionBatch}), and durability is group commit ({@link GroupCommit}): one fsync of the
 * log per burst of commits. Outside units, a call runs at once unless a batch is open; then it waits
 * for the batch to end, so it neither joins a unit nor reads what a unit has not committed yet.
 *
 * Each repository exists twice over the one connection, sharing its kept rows: once for calls
 * inside units (run at once, on the unit's transaction) and once for calls outside (which wait for
 * an open batch to end).
 */
import { join } from 'node:path';
import type { ControlPlaneStore, RemoteChange, StoreScope, StoreTransaction } from '../ControlPlaneStore.js';
import { PAGE_TOKEN_KEY_BYTES, PageTokens } from '../pageToken.js';
import { stateWriteErrorOf } from '../stateWriteError.js';
import { GroupCommit } from './GroupCommit.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { IN_UNIT, runNow, type SqliteAccess } from './SqliteAccess.js';
import { keptApplications, SqliteApplicationStore } from './SqliteApplicationStore.js';
import { SqliteApplicationEventStore } from './SqliteApplicationEventStore.js';
import { SqliteArtifactCatalog } from './SqliteArtifactCatalog.js';
import { keptClusters, SqliteClusterStore } from './SqliteClusterStore.js';
import { SqliteDriverLogStore } from './SqliteDriverLogStore.js';
import { SqliteFollowerLeaseStore } from './SqliteFollowerLeaseStore.js';
import { SqliteJobStore } from './SqliteJobStore.js';
import { SqliteRetentionStore } from './SqliteRetentionStore.js';
import { onRollback, openStateDatabase, schemaVersion, type StateDatabase } from './stateDatabase.js';
import { storeKey } from './storeKeys.js';
import { TransactionBatch, type UnitContext } from './TransactionBatch.js';

/** Options of {@link openSqliteControlPlaneStore}. */
export interface SqliteControlPlaneStoreOptions {
  /** The schema to migrate to (every migration unless given; tests pass others). */
  migrations?: readonly Migration[];
  /** Group commit (the default), or an fsync per commit (tests that look at the database from outside). */
  groupCommit?: boolean;
}

/** The repositories over one connection, with the access they run with. */
type Repositories = Omit<StoreScope, 'transaction'>;

/** The SQLite control-plane store. */
export class SqliteControlPlaneStore implements ControlPlaneStore {
  readonly applications;
  readonly events;
  readonly clusters;
  readonly jobs;
  readonly driverLogs;
  readonly retention;
  readonly artifacts;
  readonly leases;
  private readonly batch: TransactionBatch;
  private readonly inUnit: Repositories;

  constructor(
    /** The open database (for SQLite-only tests and measurements). */
    readonly db: StateDatabase,
    private readonly groupCommit: GroupCommit | undefined,
  ) {
    this.batch = new TransactionBatch(db);
    const applications = keptApplications();
    const clusters = keptClusters();
    onRollback(db, () => {
      applications.clear();
      clusters.clear();
    });
    const pages = new PageTokens(storeKey(db, 'page_tokens', PAGE_TOKEN_KEY_BYTES));
    const repositories = (access: SqliteAccess): Repositories => ({
      applications: new SqliteApplicationStore(db, access, applications, pages),
      events: new SqliteApplicationEventStore(db, access, applications),
      clusters: new SqliteClusterStore(db, access, clusters, pages),
      jobs: new SqliteJobStore(db, access, pages),
      driverLogs: new SqliteDriverLogStore(db, access),
      retention: new SqliteRetentionStore(db, access),
      artifacts: new SqliteArtifactCatalog(db, access),
      leases: new SqliteFollowerLeaseStore(db, access),
    });
    const outsideUnits: SqliteAccess = {
      now: () => this.batch.idle === undefined,
      read: (statements) => this.outside(statements),
      write: (statements) => this.outside(statements),
    };
    const outside = repositories(outsideUnits);
    this.applications = outside.applications;
    this.events = outside.events;
    this.clusters = outside.clusters;
    this.jobs = outside.jobs;
    this.driverLogs = outside.driverLogs;
    this.retention = outside.retention;
    this.artifacts = outside.artifacts;
    this.leases = outside.leases;
    this.inUnit = repositories(IN_UNIT);
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.batch.run((unit) => work(this.transactionOf(unit)));
  }

  durable(): Promise<void> {
    return this.groupCommit?.durable() ?? Promise.resolve();
  }

  schemaVersion(): Promise<number> {
    return runNow(() => schemaVersion(this.db));
  }

  /** Only this process writes the file: there are no changes of others to hear of. */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    void listener;
    return () => undefined;
  }

  async close(): Promise<void> {
    await this.batch.drained();
    this.db.close();
    this.groupCommit?.close();
  }

  /** How many shared transactions ran and how many units they held (for tests and measurements). */
  get batchCounts(): { batches: number; units: number } {
    return this.batch.counts;
  }

  /** How many fsyncs group commit made (for tests and measurements). */
  get syncCount(): number {
    return this.groupCommit?.syncCount ?? 0;
  }

  /** The view of the store a unit of work (or a savepoint nested in one) gets. */
  private transactionOf(unit: UnitContext): StoreTransaction {
    return new SqliteStoreTransaction(this.inUnit, this.batch, unit);
  }

  /** A call outside any unit: at once, unless a batch is open, then once it has ended. */
  private outside<T>(statements: () => T): Promise<T> {
    const open = this.batch.idle;
    return open ? open.then(() => this.outside(statements)) : runNow(statements);
  }
}

/**
 * A unit of work's view: the repositories that run at once, and its unit. A class whose fields are
 * the shared repositories (not a copy of them spread into a new object with two closures), one per
 * unit, shared by the savepoints nested in it.
 */
class SqliteStoreTransaction implements StoreTransaction {
  readonly applications;
  readonly events;
  readonly clusters;
  readonly jobs;
  readonly driverLogs;
  readonly retention;
  readonly artifacts;
  readonly leases;

  constructor(
    repositories: Repositories,
    private readonly batch: TransactionBatch,
    private readonly unit: UnitContext,
  ) {
    this.applications = repositories.applications;
    this.events = repositories.events;
    this.clusters = repositories.clusters;
    this.jobs = repositories.jobs;
    this.driverLogs = repositories.driverLogs;
    this.retention = repositories.retention;
    this.artifacts = repositories.artifacts;
    this.leases = repositories.leases;
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    // A nested unit works through the same view: its savepoint and its callbacks are the batch's business.
    return this.batch.nested(this.unit, () => work(this));
  }

  afterCommit(callback: () => void): void {
    this.unit.committed.push(callback);
  }
}

/**
 * Opens (creating and migrating if needed) the store in `<stateDir>/state.db`. A state dir that
 * cannot be written is refused with a message that says so; a database written by a newer Flotilla
 * with FAILED_PRECONDITION.
 */
export function openSqliteControlPlaneStore(
  stateDir: string,
  options: SqliteControlPlaneStoreOptions = {},
): SqliteControlPlaneStore {
  const file = join(stateDir, 'state.db');
  let db: StateDatabase;
  try {
    db = openStateDatabase(file, options.migrations ?? MIGRATIONS);
  } catch (error) {
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
  try {
    // One fsync per burst of commits; answers and events wait for it.
    const groupCommit = options.groupCommit === false ? undefined : new GroupCommit(db, file);
    return new SqliteControlPlaneStore(db, groupCommit);
  } catch (error) {
    db.close();
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
}
