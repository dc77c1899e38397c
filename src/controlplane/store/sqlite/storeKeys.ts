/**
 * The keys the SQLite store holds in its own database (`store_keys`): made at random the first time
 * they are needed and read back on every later start, so what they protect (page tokens) stays
 * valid across restarts.
 */
import { randomBytes } from 'node:crypto';
import type { StateDatabase } from './stateDatabase.js';

/** The key called `name`, `bytes` long, made now when the database has none. */
export function storeKey(db: StateDatabase, name: string, bytes: number): Buffer {
  db.prepare('INSERT OR IGNORE INTO store_keys (name, key) VALUES (?, ?)').run(name, randomBytes(bytes));
  const { key } = db.prepare('SELECT key FROM store_keys WHERE name = ?').get(name) as { key: Buffer };
  if (key.length !== bytes) throw new Error(`the store key "${name}" in the state database is not ${bytes} bytes long`);
  return key;
}
