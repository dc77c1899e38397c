/**
 * The keys the PostgreSQL store holds in its own database (`store_keys`): made at random by the
 * first replica that needs one and read back by every other and on every later start, so what they
 * protect (page tokens) stays valid across restarts and from one replica to the next.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from './PostgresAccess.js';

/** The key called `name`, `bytes` long, made now when the database has none. */
export async function storeKey(client: Queryable, name: string, bytes: number): Promise<Buffer> {
  await client.query('INSERT INTO store_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
    name,
    randomBytes(bytes),
  ]);
  const { rows } = await client.query<{ key: Buffer }>('SELECT key FROM store_keys WHERE name = $1', [name]);
  const key = rows[0]?.key;
  if (key?.length !== bytes)
    throw new Error(`the store key "${name}" in the state database is not ${bytes} bytes long`);
  return key;
}
