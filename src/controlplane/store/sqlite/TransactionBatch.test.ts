import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../common/testing/tempDir.js';
import { openStateDatabase } from './stateDatabase.js';
import { TransactionBatch } from './TransactionBatch.js';

function database() {
  const db = openStateDatabase(join(tempDir(), 'state.db'));
  db.exec('CREATE TABLE notes (text TEXT NOT NULL UNIQUE)');
  const insert = (text: string) => db.prepare('INSERT INTO notes (text) VALUES (?)').run(text).changes;
  const notes = () =>
    (db.prepare('SELECT text FROM notes ORDER BY rowid').all() as { text: string }[]).map((row) => row.text);
  return { db, insert, notes };
}

describe('TransactionBatch', () => {
  it('runs the units of one turn in one transaction, in order, and resolves each with its result once committed', async () => {
    const { db, insert, notes } = database();
    const batch = new TransactionBatch(db);
    const results = await Promise.all(['a', 'b', 'c'].map((text) => batch.run(async () => insert(text))));
    expect(results).toEqual([1, 1, 1]);
    expect(notes()).toEqual(['a', 'b', 'c']);
    expect(db.inTransaction).toBe(false);
    expect(batch.counts).toEqual({ batches: 1, units: 3 });
  });

  it('rolls back only the unit that throws, and rejects it with its own error', async () => {
    const { db, insert, notes } = database();
    const batch = new TransactionBatch(db);
    const outcomes = await Promise.allSettled([
      batch.run(async () => insert('a')),
      batch.run(async () => {
        insert('half');
        insert('a');
      }),
      batch.run(async () => insert('b')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(notes()).toEqual(['a', 'b']);
  });

  it('runs units that await one after another, each on the shared transaction, and makes outside writes wait for the batch', async () => {
    const { db, insert, notes } = database();
    const batch = new TransactionBatch(db);
    const order: string[] = [];
    let openWhileAwaiting = false;
    const first = batch.run(async () => {
      insert('a');
      await Promise.resolve();
      // The batch is open while its units await: a call from outside waits for it to end.
      openWhileAwaiting = batch.idle !== undefined;
      order.push('first unit');
      insert('b');
    });
    const second = batch.run(async () => {
      order.push('second unit');
      insert('c');
    });
    await Promise.all([first, second]);
    expect(openWhileAwaiting).toBe(true);
    expect(batch.idle).toBeUndefined();
    expect(order).toEqual(['first unit', 'second unit']);
    expect(notes()).toEqual(['a', 'b', 'c']);
    expect(batch.counts).toEqual({ batches: 1, units: 2 });
  });

  it('puts a unit queued while a batch runs into the next batch', async () => {
    const { db, insert, notes } = database();
    const batch = new TransactionBatch(db);
    let later: Promise<number> | undefined;
    await batch.run(async () => {
      later = batch.run(async () => insert('second'));
      return insert('first');
    });
    // The second unit has not run yet: its batch comes on the next turn.
    expect(notes()).toEqual(['first']);
    await later;
    expect(notes()).toEqual(['first', 'second']);
    expect(batch.counts).toEqual({ batches: 2, units: 2 });
  });

  it('rejects the units that cannot write (another connection holds the lock), keeps nothing of them, and goes on once it can', async () => {
    const { db, insert, notes } = database();
    const batch = new TransactionBatch(db);
    // Another connection holds the write lock, so this batch's first write fails.
    const other = openStateDatabase(db.name);
    other.pragma('busy_timeout = 0');
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled([
        batch.run(async () => insert('a')),
        batch.run(async () => insert('b')),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(notes()).toEqual([]);
    await batch.run(async () => insert('c'));
    expect(notes()).toEqual(['c']);
  });
});
