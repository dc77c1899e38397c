/**
 * One step of a store's schema, as both stores' append-only migration lists hold them (SQLite's in
 * `sqlite/migrations.ts`, PostgreSQL's in `postgres/migrations.ts`; each list has versions of its own).
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
