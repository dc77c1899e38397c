/** How the SQLite store holds instants (milliseconds since the epoch) and flags (0 or 1). */
import type { ColumnCodec } from '../rows/ColumnCodec.js';

/** The SQLite store's {@link ColumnCodec}. */
export const SQLITE_COLUMNS: ColumnCodec<number, number> = {
  date: (ms) => new Date(ms),
  instant: (date) => date.getTime(),
  flag: (value) => value === 1,
  toFlag: (value) => (value ? 1 : 0),
};
