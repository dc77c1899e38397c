/**
 * How the PostgreSQL store's repositories reach the database. Inside a unit of work every
 * statement runs on the unit's client, in its transaction; outside, a statement runs on any client
 * of the pool (its own transaction), and a repository call of several statements runs in a short
 * transaction of its own on one client. Either way a repository writes the same SQL: only where it
 * runs differs. A lost connection or a full disk of the server becomes a domain error here
 * (databaseErrors.ts), named by `where` (the database's URL without its password).
 */
import type pg from 'pg';
import { databaseError } from './databaseErrors.js';

/** What runs statements: a client of the pool, or the pool itself. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Runs a repository's statements. */
export interface PostgresAccess {
  /** Runs one statement (atomic by itself). */
  query<Row extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
  /**
   * Runs `work`, whose statements must commit together: in the unit's transaction inside a unit
   * (nothing is written before `work` decides, so it needs no savepoint), in one of its own outside.
   */
  atomic<T>(work: (access: PostgresAccess) => Promise<T>): Promise<T>;
  /**
   * Inside a unit, waits for the transaction-scoped advisory lock named `key` (held until the unit
   * ends), so that units that look at the same thing before they write run one after the other;
   * outside a unit it does nothing, since a read alone decides nothing.
   */
  lockInUnit(key: string): Promise<void>;
}

/** Access on one client that is in a transaction (a unit of work, or a short transaction of its own). */
export function clientAccess(client: Queryable, where: string): PostgresAccess {
  const access: PostgresAccess = {
    query: (sql, values) => client.query(sql, values).catch((error: unknown) => rethrow(error, where)),
    atomic: (work) => work(access),
    async lockInUnit(key) {
      // Its own statement: the next statement's snapshot is taken after the lock is granted, so it sees what the holder committed.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    },
  };
  return access;
}

/** Access outside units of work, on the clients of `pool`. */
export function poolAccess(pool: pg.Pool, where: string): PostgresAccess {
  return {
    query: (sql, values) => pool.query(sql, values).catch((error: unknown) => rethrow(error, where)),
    atomic: (work) => inTransaction(pool, where, (client) => work(clientAccess(client, where))),
    lockInUnit: () => Promise.resolve(),
  };
}

/**
 * Runs `work` in a transaction (READ COMMITTED, PostgreSQL's default) on a client of `pool`:
 * committed once it resolves, rolled back when it throws. A client whose connection failed is
 * dropped from the pool instead of being handed out again.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  where: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => rethrow(error, where));
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool: a connection lost while it is out (the server
  // restarted) would be an unhandled 'error' event, which ends the process. Its statements fail instead.
  const lost = (error: Error) => (broken = error);
  client.on('error', lost);
  try {
    await client.query('BEGIN').catch((error: unknown) => rethrow(error, where));
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    }
    const commit = await client.query('COMMIT').catch((commitError: Error) => {
      broken = commitError;
      return rethrow(commitError, where);
    });
    // PostgreSQL answers COMMIT of a transaction in which a statement failed by rolling it back.
    if (commit.command === 'ROLLBACK') throw new RolledBackError();
    return result;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

/** Throws `error` as the domain error it stands for. */
function rethrow(error: unknown, where: string): never {
  throw databaseError(error, where);
}

/** A unit whose work resolved although a statement of it failed (the error was caught): PostgreSQL rolled it back at COMMIT. */
export class RolledBackError extends Error {
  override name = 'RolledBackError';

  constructor() {
    super(
      'the transaction was rolled back: a statement in it failed, and PostgreSQL takes no more statements in a transaction after one failed',
    );
  }
}
