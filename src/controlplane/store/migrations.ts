/**
 * The control plane's schema, as an append-only list of migrations. A migration, once released,
 * is never edited: a change to the schema is a new entry at the end.
 */

/** One step of the schema. */
export interface Migration {
  /** The version the database has after this step; versions count up from 1 without gaps. */
  version: number;
  /** What the step does, recorded in the database. */
  description: string;
  /** The SQL to run, inside a transaction. */
  sql: string;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'artifacts: bundles stored by sha256',
    sql: `
      CREATE TABLE artifacts (
        id          TEXT PRIMARY KEY,
        size_bytes  INTEGER NOT NULL,
        file_name   TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
