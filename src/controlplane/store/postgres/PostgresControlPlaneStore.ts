/**
 * The control plane's state in PostgreSQL: the {@link ControlPlaneStore} over a pool of `pg`
 * clients, for a control plane whose state must outlive its machine or be shared by several
 * replicas (docs/postgresql.md). A unit of work holds one client of the pool for its transaction
 * (READ COMMITTED); nested units are savepoints. Where SQLite relies on its single writer, this
 * store locks instead: appends lock the application's row, units that check before they insert
 * take transaction-scoped advisory locks (a tenant's clusters and applications, a request id).
 * Every commit is durable when it returns (`synchronous_commit` is set on for every client), so
 * `durable()` has nothing to wait for. Follower leases are renewed and taken on connections of their
 * own (LEASE_CONNECTIONS), so that a replica whose pool is busy with a burst of units of work still
 * renews its leases in time instead of waiting in the pool's queue past their expiry and losing
 * them to another replica that is not overloaded.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ControlPlaneStore, RemoteChange, StoreTransaction } from '../ControlPlaneStore.js';
import type { Migration } from '../Migration.js';
import { PAGE_TOKEN_KEY_BYTES, PageTokens } from '../pageToken.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { clientAccess, inTransaction, poolAccess, type PostgresAccess } from './PostgresAccess.js';
import { PostgresApplicationEventStore } from './PostgresApplicationEventStore.js';
import { PostgresApplicationStore } from './PostgresApplicationStore.js';
import { PostgresArtifactCatalog } from './PostgresArtifactCatalog.js';
import { PostgresClusterStore } from './PostgresClusterStore.js';
import { PostgresDriverLogStore } from './PostgresDriverLogStore.js';
import { PostgresFollowerLeaseStore } from './PostgresFollowerLeaseStore.js';
import { RemoteChanges } from './remoteChanges.js';
import { PostgresDriverSubmissionStore } from './PostgresDriverSubmissionStore.js';
import { PostgresJobStore } from './PostgresJobStore.js';
import { PostgresRetentionStore } from './PostgresRetentionStore.js';
import { redactedPostgresUrl } from './postgresUrl.js';
import { migrate, schemaVersion } from './schema.js';
import { storeKey } from './storeKeys.js';
import { unreachableError } from './databaseErrors.js';

/** Options of {@link openPostgresControlPlaneStore}. */
export interface PostgresControlPlaneStoreOptions {
  /** The schema to migrate to (every migration unless given; tests pass others). */
  migrations?: readonly Migration[];
  /** The most connections the store holds (10 unless given): units of work in flight each hold one. */
  maxConnections?: number;
  /** Told of an error on an idle connection (the server restarted, say); the pool drops that connection either way. */
  onConnectionError?: (error: Error) => void;
  /**
   * How long a connection may sit idle inside a transaction before the server ends its session
   * (PostgreSQL's idle_in_transaction_session_timeout; 5 s unless given): a replica paused in the
   * middle of a unit (SIGSTOP, a stalled machine) would otherwise hold its row locks, and with them
   * another replica's takeover of its leases, for as long as it is paused.
   */
  idleInTransactionMs?: number;
}

/** The connections kept for renewing and taking follower leases, apart from the units of work. */
const LEASE_CONNECTIONS = 2;

/** bigint columns (ordinals, sequences, offsets, counts) as numbers: none of them comes near 2^53. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The repositories of a scope, over one way of reaching the database. */
abstract class PostgresScope {
  readonly applications;
  readonly events;
  readonly clusters;
  readonly jobs;
  readonly driverLogs;
  readonly driverSubmissions;
  readonly retention;
  readonly artifacts;
  readonly leases;

  constructor(access: PostgresAccess, pages: PageTokens, origin: string, leaseAccess: PostgresAccess = access) {
    this.applications = new PostgresApplicationStore(access, pages);
    this.events = new PostgresApplicationEventStore(access, origin);
    this.clusters = new PostgresClusterStore(access, pages);
    this.jobs = new PostgresJobStore(access, pages);
    this.driverLogs = new PostgresDriverLogStore(access, origin);
    this.driverSubmissions = new PostgresDriverSubmissionStore(access);
    this.retention = new PostgresRetentionStore(access);
    this.artifacts = new PostgresArtifactCatalog(access);
    this.leases = new PostgresFollowerLeaseStore(leaseAccess);
  }
}

/** The PostgreSQL control-plane store; its repositories run outside units of work, on the pool. */
export class PostgresControlPlaneStore extends PostgresScope implements ControlPlaneStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The connections of the leases outside units of work (renewals, takeovers, releases). */
    private readonly leasePool: pg.Pool,
    private readonly pages: PageTokens,
    /** The database's URL without its password, as messages name it. */
    private readonly where: string,
    private readonly changes: RemoteChanges,
  ) {
    super(poolAccess(pool, where), pages, changes.origin, poolAccess(leasePool, where));
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    let unit: PostgresStoreTransaction | undefined;
    const result = await inTransaction(this.pool, this.where, (client) => {
      unit = new PostgresStoreTransaction(client, this.pages, this.where, this.changes.origin);
      return work(unit);
    });
    // Committed: what tells others of the unit's writes may run now (a callback's error is the caller's to hear).
    for (const callback of unit!.committed) callback();
    return result;
  }

  /** Every commit was durable when it returned (synchronous_commit on). */
  durable(): Promise<void> {
    return Promise.resolve();
  }

  schemaVersion(): Promise<number> {
    return schemaVersion(poolAccess(this.pool, this.where));
  }

  /** Changes other replicas committed, heard on one dedicated LISTEN connection (opened at the first listener). */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    return this.changes.listen(listener);
  }

  async close(): Promise<void> {
    await this.changes.close();
    await this.pool.end();
    await this.leasePool.end();
  }
}

/** A unit of work's view: repositories on the unit's client, savepoints for nested units, and its after-commit callbacks. */
class PostgresStoreTransaction extends PostgresScope implements StoreTransaction {
  /** Callbacks to run once the unit is committed. */
  readonly committed: Array<() => void> = [];
  private savepoints = 0;

  constructor(
    private readonly client: pg.PoolClient,
    pages: PageTokens,
    where: string,
    origin: string,
  ) {
    super(clientAccess(client, where), pages, origin);
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    // A nested unit works through the same view; its callbacks are cut off at their length when it fails.
    const savepoint = `unit_${++this.savepoints}`;
    const registered = this.committed.length;
    await this.client.query(`SAVEPOINT ${savepoint}`);
    try {
      const result = await work(this);
      await this.client.query(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      this.committed.length = registered;
      // When the connection itself failed there is nothing to roll back to: the unit fails at its commit.
      await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
      throw error;
    }
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }
}

/**
 * Opens the store in the PostgreSQL database at `url`, migrating it to the newest schema (several
 * replicas starting at once migrate one after the other). A database written by a newer Flotilla
 * is refused with FAILED_PRECONDITION; one that cannot be reached with UNAVAILABLE, naming the
 * database without its password.
 */
export async function openPostgresControlPlaneStore(
  url: string,
  options: PostgresControlPlaneStoreOptions = {},
): Promise<PostgresControlPlaneStore> {
  const pool = openPool(url, options.maxConnections ?? 10, options);
  const leasePool = openPool(url, LEASE_CONNECTIONS, options);
  const where = redactedPostgresUrl(url);
  try {
    await migrate(pool, options.migrations ?? POSTGRES_MIGRATIONS, where);
    const key = await storeKey(pool, 'page_tokens', PAGE_TOKEN_KEY_BYTES);
    const changes = new RemoteChanges(url, randomBytes(6).toString('base64url'), (error) =>
      options.onConnectionError?.(error),
    );
    return new PostgresControlPlaneStore(pool, leasePool, new PageTokens(key), where, changes);
  } catch (error) {
    await pool.end().catch(() => undefined);
    await leasePool.end().catch(() => undefined);
    throw unreachableError(error, url) ?? error;
  }
}

/** A pool of at most `max` connections to `url`, each durable at commit and limited in idle transactions. */
function openPool(url: string, max: number, options: PostgresControlPlaneStoreOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'flotilla-controlplane', types: TYPES });
  // An answer waits for its commit to be durable; a server configured otherwise is overruled for this store's sessions.
  const idleInTransactionMs = Math.max(1, Math.round(options.idleInTransactionMs ?? 5000));
  pool.on(
    'connect',
    (client) =>
      void client
        .query(`SET synchronous_commit TO on; SET idle_in_transaction_session_timeout TO ${idleInTransactionMs}`)
        .catch(() => undefined),
  );
  pool.on('error', (error) => options.onConnectionError?.(error));
  return pool;
}
