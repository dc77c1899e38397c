/**
 * Migrating the PostgreSQL store's schema at start. Several replicas may start at once against
 * one database: each takes the same transaction-scoped advisory lock first, so one migrates while
 * the others wait and then find nothing left to do. The migrations a replica applies and the
 * record of each (`schema_version`) commit in one transaction, so a replica killed half way leaves
 * the schema as it was. A database whose schema is newer than this Flotilla knows is refused.
 */
import type pg from 'pg';
import { FailedPreconditionError } from '../../../common/errors.js';
import type { Migration } from '../Migration.js';
import { inTransaction, type PostgresAccess } from './PostgresAccess.js';

/** The advisory lock every replica takes to migrate (hashed to a 64-bit key by PostgreSQL). */
const MIGRATION_LOCK = 'flotilla: schema migrations';

const CREATE_SCHEMA_VERSION = `CREATE TABLE IF NOT EXISTS schema_version (
  version      integer PRIMARY KEY,
  description  text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now())`;

/** The schema version the database is at (0 when it has none). */
export async function schemaVersion(statements: Pick<PostgresAccess, 'query'>): Promise<number> {
  const { rows } = await statements.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_version',
  );
  return rows[0]?.version ?? 0;
}

/**
 * Brings the database to the newest of `migrations`; FAILED_PRECONDITION naming both versions and
 * what to do when the database is newer. `where` names the database in that message.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[], where: string): Promise<void> {
  await inTransaction(pool, where, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
    await client.query(CREATE_SCHEMA_VERSION);
    const current = await schemaVersion(client);
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new FailedPreconditionError(
        `the state database ${where} is at schema version ${current}, newer than this Flotilla knows (${newest}); run a newer Flotilla or point --store at another database`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_version (version, description) VALUES ($1, $2)', [
        migration.version,
        migration.description,
      ]);
    }
  });
}
