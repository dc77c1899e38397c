/**
 * The control plane's SQLite database: opened in WAL mode with full fsync (an accepted request is
 * on disk before it is answered), migrated to the newest schema at open, and refused with a clear
 * message when it was written by a newer Flotilla.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FailedPreconditionError } from '../../common/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** The database handle type used across the control plane. */
export type StateDatabase = Database.Database;

/** Opens (creating if needed) and migrates the database at `file`. */
export function openStateDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): StateDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
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
