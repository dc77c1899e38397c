/** How the PostgreSQL store holds instants (timestamptz, which `pg` reads as dates) and flags (boolean). */
import type { ColumnCodec } from '../rows/ColumnCodec.js';

/** The PostgreSQL store's {@link ColumnCodec}: the values are the domain's own. */
export const POSTGRES_COLUMNS: ColumnCodec<Date, boolean> = {
  date: (date) => date,
  instant: (date) => date,
  flag: (value) => value,
  toFlag: (value) => value,
};
