/**
 * The rows of records that have not ended, kept in memory once read or written, so that reading
 * one costs no query: the control plane reads an application about 35 times while relaying its
 * events and a cluster several times per application, and a query with its decoding costs about
 * 20 µs. The store that owns the rows writes through it (every write to them goes through that
 * store), a record that ends leaves (ended ones are read rarely, so memory holds the live ones),
 * the oldest kept leaves once {@link KeptRowsOptions.max} are kept, and everything leaves when a
 * transaction is rolled back, since the kept rows may then be ahead of the database. A kept row is
 * shared, never changed in place: a write replaces it.
 *
 * The store's port answers with promises; a kept row also keeps its answer ({@link KeptRows.answer}),
 * one settled promise made at its first read and shared by every later read until a write replaces
 * the row, so that the reads of a unit of work allocate nothing (awaiting a settled promise costs a
 * microtask, not an object).
 */

/** What {@link KeptRows} keeps. */
export interface KeptRowsOptions<Row> {
  /** The most rows kept; past it the oldest kept is dropped. */
  max: number;
  /** Whether the record has ended: an ended one is not kept, and one that ends leaves. */
  ended(row: Row): boolean;
}

/** A kept row and, once it was read through the port, its answer. */
interface Kept<Row> {
  row: Row;
  answer?: Promise<Row>;
}

/** Rows by id, oldest kept first. */
export class KeptRows<Row extends { id: string }> {
  private readonly rows = new Map<string, Kept<Row>>();

  constructor(private readonly options: KeptRowsOptions<Row>) {}

  /** The kept row, or undefined. */
  get(id: string): Row | undefined {
    return this.rows.get(id)?.row;
  }

  /** The kept row as a settled promise, the same one for every read until the row changes; undefined when not kept. */
  answer(id: string): Promise<Row> | undefined {
    const kept = this.rows.get(id);
    if (!kept) return undefined;
    return (kept.answer ??= Promise.resolve(kept.row));
  }

  /** Keeps a row just read (unless it has ended), making room by dropping the oldest. */
  keep(row: Row): Row {
    if (this.options.ended(row)) return row;
    if (this.rows.size >= this.options.max) this.rows.delete(this.rows.keys().next().value as string);
    this.rows.set(row.id, { row });
    return row;
  }

  /** Replaces a kept row with what a write made of it (`change` is not called when the row is not kept); one that ended leaves. */
  update(id: string, change: (row: Row) => Row): void {
    const kept = this.rows.get(id);
    if (!kept) return;
    const changed = change(kept.row);
    if (this.options.ended(changed)) this.rows.delete(id);
    else {
      kept.row = changed;
      kept.answer = undefined;
    }
  }

  /** Drops a row, to be read again the next time. */
  drop(id: string): void {
    this.rows.delete(id);
  }

  /** Drops every row (after a rollback). */
  clear(): void {
    this.rows.clear();
  }
}
