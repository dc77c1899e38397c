/**
 * The control plane's SQLite database: opened in WAL mode with full fsync (an accepted request is
 * on disk before it is answered), migrated to the newest schema at open, and refused with a clear
 * message when it was written by a newer Flotilla. Statements are prepared once per SQL text and
 * reused: preparing one costs more than running most of them. The control plane then switches it
 * to group commit (GroupCommit.ts), which keeps that promise with one fsync per burst.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { FailedPreconditionError } from '../../../common/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** The database handle type used across the control plane. */
export type StateDatabase = Database.Database;

/** Opens (creating if needed, mode 0600) and migrates the database at `file`. */
export function openStateDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): StateDatabase {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  reuseStatements(db);
  lightTransactions(db);
  migrate(db, migrations);
  return db;
}

/** The most statements kept prepared; past it the cache starts again (the control plane has about a hundred). */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * Makes `db.prepare` return the statement prepared earlier for the same SQL text. Safe because
 * nothing here changes a statement's mode (pluck, raw, expand) and no iteration of a statement runs
 * the same SQL again before it ends.
 */
function reuseStatements(db: StateDatabase): void {
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, ReturnType<typeof prepare>>();
  db.prepare = ((source: string) => {
    let statement = prepared.get(source);
    if (!statement) {
      if (prepared.size >= MAX_CACHED_STATEMENTS) prepared.clear();
      statement = prepare(source);
      prepared.set(source, statement);
    }
    return statement;
  }) as StateDatabase['prepare'];
}

/**
 * Makes `db.transaction(fn)` cheap to call once per use, as the control plane does: better-sqlite3
 * builds four wrapper functions with their properties at every call (measured: 7 % of the control
 * plane's busy time under load). This one builds a single wrapper over statements prepared once,
 * with the same behaviour: BEGIN … COMMIT at the top, a savepoint when nested, and a rollback of
 * its own part when `fn` throws. Its `deferred`, `immediate` and `exclusive` variants are not
 * provided (nothing here uses them).
 */
function lightTransactions(db: StateDatabase): void {
  const [begin, commit, rollback, savepoint, release, rollbackTo] = [
    'BEGIN',
    'COMMIT',
    'ROLLBACK',
    'SAVEPOINT nested',
    'RELEASE nested',
    'ROLLBACK TO nested',
  ].map((sql) => db.prepare(sql));
  db.transaction = ((fn: (...args: unknown[]) => unknown) =>
    function lightTransaction(this: unknown, ...args: unknown[]) {
      const nested = db.inTransaction;
      (nested ? savepoint : begin).run();
      try {
        const result = fn.apply(this, args);
        if (result && typeof (result as Promise<unknown>).then === 'function')
          throw new TypeError('Transaction function cannot return a promise');
        (nested ? release : commit).run();
        return result;
      } catch (error) {
        if (db.inTransaction) {
          (nested ? rollbackTo : rollback).run();
          if (nested) release.run();
        }
        rolledBack(db);
        throw error;
      }
    }) as unknown as StateDatabase['transaction'];
}

const rollbackListeners = new WeakMap<StateDatabase, Array<() => void>>();

/**
 * Calls `listener` whenever a transaction of `db` (or a nested one) is rolled back, its commit
 * included: what a store keeps in memory of rows it wrote may then be ahead of the database.
 */
export function onRollback(db: StateDatabase, listener: () => void): void {
  const listeners = rollbackListeners.get(db) ?? [];
  listeners.push(listener);
  rollbackListeners.set(db, listeners);
}

/** Tells the listeners of {@link onRollback} that a transaction (or a savepoint) of `db` was rolled back. */
export function rolledBack(db: StateDatabase): void {
  for (const listener of rollbackListeners.get(db) ?? []) listener();
}

/** The schema version the database is at (0 when new). */
export function schemaVersion(db: StateDatabase): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

function migrate(db: StateDatabase, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    db.close();
    throw new FailedPreconditionError(
      `the state database is at schema version ${current}, newer than this Flotilla knows (${newest}); run a newer Flotilla or use another --state-dir`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.description, Date.now());
    })();
  }
}
