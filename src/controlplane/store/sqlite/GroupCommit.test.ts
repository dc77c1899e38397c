import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../common/testing/tempDir.js';
import { GroupCommit } from './GroupCommit.js';
import { openStateDatabase } from './stateDatabase.js';

function groupCommitted() {
  const file = join(tempDir(), 'state.db');
  const db = openStateDatabase(file);
  db.exec('CREATE TABLE notes (text TEXT NOT NULL)');
  const groupCommit = new GroupCommit(db, file);
  const write = (text: string) => db.prepare('INSERT INTO notes (text) VALUES (?)').run(text);
  return { db, groupCommit, write };
}

describe('GroupCommit', () => {
  it('switches the database to synchronous=NORMAL and syncs nothing while nothing is written', async () => {
    const { db, groupCommit } = groupCommitted();
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    await groupCommit.durable();
    await groupCommit.durable();
    expect(groupCommit.syncCount).toBe(0);
    groupCommit.close();
    db.close();
  });

  it('covers a burst of commits with one fsync, however many wait for it', async () => {
    const { db, groupCommit, write } = groupCommitted();
    for (let index = 0; index < 100; index++) write(`note ${index}`);
    await Promise.all(Array.from({ length: 50 }, () => groupCommit.durable()));
    expect(groupCommit.syncCount).toBe(1);
    // Nothing new was written: nothing to wait for.
    await groupCommit.durable();
    expect(groupCommit.syncCount).toBe(1);
    groupCommit.close();
    db.close();
  });

  it('makes a commit that came after an fsync started wait for the next one', async () => {
    const { db, groupCommit, write } = groupCommitted();
    write('first');
    const first = groupCommit.durable();
    // The fsync for "first" starts in a later turn; wait until it runs, then commit again.
    await new Promise((resolve) => setImmediate(resolve));
    write('second');
    const second = groupCommit.durable();
    await first;
    await second;
    expect(groupCommit.syncCount).toBe(2);
    groupCommit.close();
    db.close();
  });

  it('reuses the statement prepared for the same SQL text', () => {
    const { db, groupCommit } = groupCommitted();
    expect(db.prepare('SELECT count(*) FROM notes')).toBe(db.prepare('SELECT count(*) FROM notes'));
    groupCommit.close();
    db.close();
  });
});
