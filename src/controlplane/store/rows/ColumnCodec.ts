/**
 * How one database holds the two kinds of column whose types differ between the stores: instants
 * (SQLite: milliseconds since the epoch; PostgreSQL: timestamptz, read as dates) and flags (SQLite:
 * 0 or 1; PostgreSQL: boolean). The rows of applications, clusters and jobs are otherwise the same
 * in both, so each is written and read by one function given the database's codec.
 */

/** Instants of type `Time` and flags of type `Flag`, to and from the domain's dates and booleans. */
export interface ColumnCodec<Time, Flag> {
  /** The date an instant column holds. */
  date(value: Time): Date;
  /** The column value of a date. */
  instant(date: Date): Time;
  /** The boolean a flag column holds. */
  flag(value: Flag): boolean;
  /** The column value of a boolean. */
  toFlag(value: boolean): Flag;
}
