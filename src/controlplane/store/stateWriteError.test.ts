import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { StateDiskFullError, StateNotWritableError, stateWriteErrorOf } from './stateWriteError.js';

/** The error SQLite itself raises for `write` on a fresh database set up by `setUp`. */
function sqliteErrorOf(setUp: (db: Database.Database, file: string) => Database.Database): unknown {
  const file = join(tempDir(), 'state.db');
  const db = new Database(file);
  db.exec('CREATE TABLE t (x TEXT)');
  const writer = setUp(db, file);
  try {
    writer.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    writer.close();
    if (writer !== db) db.close();
  }
}

describe('stateWriteErrorOf', () => {
  it('makes SQLite’s FULL a disk-full error that names the state dir', () => {
    const error = sqliteErrorOf((db) => {
      db.pragma('max_page_count = 3');
      return db;
    });
    expect(error).toMatchObject({ code: 'SQLITE_FULL' });
    const mapped = stateWriteErrorOf(error, '/var/lib/flotilla');
    expect(mapped).toBeInstanceOf(StateDiskFullError);
    expect(mapped?.message).toBe(
      'the control plane cannot write its state in /var/lib/flotilla: the disk is full (SQLITE_FULL); free space on that disk, then try again',
    );
  });

  it('makes SQLite’s READONLY a not-writable error', () => {
    const error = sqliteErrorOf((_db, file) => new Database(file, { readonly: true }));
    expect(error).toMatchObject({ code: 'SQLITE_READONLY' });
    const mapped = stateWriteErrorOf(error, '/state');
    expect(mapped).toBeInstanceOf(StateNotWritableError);
    expect(mapped?.message).toMatch(
      /^the control plane cannot write its state in \/state: the database can only be read \(SQLITE_READONLY\); make that folder writable/,
    );
  });

  it('reads extended SQLite codes and file system codes by their kind, and leaves anything else alone', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(stateWriteErrorOf(coded('SQLITE_IOERR_WRITE'), '/s')?.message).toContain(
      'the disk failed a read or write (SQLITE_IOERR_WRITE)',
    );
    expect(stateWriteErrorOf(coded('SQLITE_CANTOPEN'), '/s')).toBeInstanceOf(StateNotWritableError);
    expect(stateWriteErrorOf(coded('ENOSPC'), '/s')).toBeInstanceOf(StateDiskFullError);
    expect(stateWriteErrorOf(coded('EROFS'), '/s')?.message).toContain('the file system is read-only (EROFS)');
    expect(stateWriteErrorOf(coded('EFBIG'), '/s')).toBeInstanceOf(StateNotWritableError);
    for (const other of [
      coded('SQLITE_CONSTRAINT_UNIQUE'),
      coded('SQLITE_BUSY'),
      coded('ENOENT'),
      new Error('no code'),
      'text',
      null,
    ]) {
      expect(stateWriteErrorOf(other, '/s')).toBeUndefined();
    }
  });
});
