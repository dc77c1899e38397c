/**
 * How the SQLite store's repositories reach the database. Statements run synchronously
 * (better-sqlite3) and their results are handed back as settled promises, one per call, never
 * one per row. Inside a unit of work a call runs at once; outside, a call waits while a batch of
 * units is open (`TransactionBatch`): on the one connection a write would otherwise become part of
 * whichever unit is running (and be rolled back with it), and a read would see what it has not
 * committed yet.
 */

/** Runs a repository's statements. */
export interface SqliteAccess {
  /**
   * Whether a call would run at once (inside a unit, or outside while no batch is open): then a
   * read may be answered from the kept rows without running anything.
   */
  now(): boolean;
  /** Runs `statements`, which only read. */
  read<T>(statements: () => T): Promise<T>;
  /** Runs `statements`, which write. */
  write<T>(statements: () => T): Promise<T>;
}

/** `statements` run now, their result or error as a settled promise. */
export function runNow<T>(statements: () => T): Promise<T> {
  try {
    return Promise.resolve(statements());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** Access inside a unit of work: everything runs at once, on the unit's open transaction. */
export const IN_UNIT: SqliteAccess = { now: () => true, read: runNow, write: runNow };
