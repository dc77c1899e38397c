/**
 * How the PostgreSQL store's repositories reach the database. Inside a unit of work every
 * statement runs on the unit's client, in its transaction; outside, a statement runs on any client
 * of the pool (its own transaction), and a repository call of several statements runs in a short
 * transaction of its own on one client. Either way a repository writes the same SQL: only where it
 * runs differs. A lost connection or a full disk of the server becomes a domain error here
 * (databaseErrors.ts), named by `where` (the database's URL without its password). Every statement
 * runs as a prepared statement, named after its text: each connection parses and plans it once
 * (npm pg prepares a named statement at its first use on a connection and reuses it after). When a
 * newer replica adds columns while this one runs, a prepared `SELECT *` fails once with "cached
 * plan must not change result type"; the connection it failed on is then dropped (a failed pool
 * statement's always is, a unit's at its end), so the next one prepares it anew.
 */
import type pg from 'pg';
import { databaseError } from './databaseErrors.js';

/** What runs statements: a client of the pool, or the pool itself. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** The name of each statement's text, given at its first use (the texts are the repositories' own, a bounded set). */
const statementNames = new Map<string, string>();

/** The statement `sql` as a named query (prepared once per connection). */
export function prepared(sql: string, values?: unknown[]): pg.QueryConfig {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `flotilla_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return { name, text: sql, values };
}

/** Clients of units on which a prepared statement's plan went stale: dropped when their unit ends. */
const stalePlans = new WeakSet<Queryable>();

/** PostgreSQL's feature_not_supported, which a prepared statement whose result columns changed fails with. */
const STALE_PLAN = '0A000';

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
    query: <Row extends pg.QueryResultRow>(sql: string, values?: unknown[]) =>
      client.query<Row>(prepared(sql, values)).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === STALE_PLAN) stalePlans.add(client);
        return rethrow(error, where);
      }),
    atomic: (work) => work(access),
    async lockInUnit(key) {
      // Its own statement: the next statement's snapshot is taken after the lock is granted, so it sees what the holder committed.
      await client.query(prepared('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]));
    },
  };
  return access;
}

/** Access outside units of work, on the clients of `pool`. */
export function poolAccess(pool: pg.Pool, where: string): PostgresAccess {
  return {
    query: <Row extends pg.QueryResultRow>(sql: string, values?: unknown[]) =>
      pool.query<Row>(prepared(sql, values)).catch((error: unknown) => rethrow(error, where)),
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
    client.release(broken ?? (stalePlans.has(client) ? new Error('a prepared statement went stale') : undefined));
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
