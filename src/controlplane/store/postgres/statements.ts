/** Small helpers the PostgreSQL repositories share to run a select and to build an insert or an update. */
import type pg from 'pg';
import type { PostgresAccess } from './PostgresAccess.js';

/** The first row of `sql`, decoded, or undefined when it selects none. */
export async function selectOne<Row extends pg.QueryResultRow, T>(
  access: PostgresAccess,
  sql: string,
  values: unknown[],
  decode: (row: Row) => T,
): Promise<T | undefined> {
  const { rows } = await access.query<Row>(sql, values);
  return rows[0] && decode(rows[0]);
}

/** Every row of `sql`, decoded. */
export async function selectAll<Row extends pg.QueryResultRow, T>(
  access: PostgresAccess,
  sql: string,
  values: unknown[],
  decode: (row: Row) => T,
): Promise<T[]> {
  const { rows } = await access.query<Row>(sql, values);
  return rows.map(decode);
}

/** The `SET` list of an update of the row whose id is `$1`, built column by column. */
export class Assignments {
  /** The statement's parameters: the id first, then each assigned value. */
  readonly values: unknown[];
  private readonly columns: string[] = [];

  constructor(id: string) {
    this.values = [id];
  }

  /** Assigns `value` to `column`. */
  set(column: string, value: unknown): void {
    this.values.push(value);
    this.columns.push(`${column} = $${this.values.length}`);
  }

  /** Runs `UPDATE table SET … WHERE id = $1`, unless nothing was assigned. */
  async run(access: PostgresAccess, table: string): Promise<void> {
    if (this.columns.length === 0) return;
    await access.query(`UPDATE ${table} SET ${this.columns.join(', ')} WHERE id = $1`, this.values);
  }
}

/** Inserts `row` (its keys are the columns) into `table`. */
export async function insertRow(access: PostgresAccess, table: string, row: object): Promise<void> {
  const columns = Object.keys(row);
  await access.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
    Object.values(row),
  );
}
