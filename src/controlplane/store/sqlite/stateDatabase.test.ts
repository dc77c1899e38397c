import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../common/testing/tempDir.js';
import { openStateDatabase, schemaVersion } from './stateDatabase.js';
import { MIGRATIONS } from './migrations.js';

describe('openStateDatabase', () => {
  it('migrates a new database to the newest version and keeps it on reopen', () => {
    const file = join(tempDir(), 'state.db');
    const db = openStateDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    db.prepare('INSERT INTO artifacts (id, size_bytes, file_name, created_at) VALUES (?, ?, ?, ?)').run(
      'a'.repeat(64),
      1,
      'x',
      0,
    );
    db.close();
    const again = openStateDatabase(file);
    expect(again.prepare('SELECT COUNT(*) AS n FROM artifacts').get()).toEqual({ n: 1 });
    again.close();
  });

  it('applies only the migrations a database lacks', () => {
    const file = join(tempDir(), 'state.db');
    openStateDatabase(file, MIGRATIONS.slice(0, 1)).close();
    const extra = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, description: 'test', sql: 'CREATE TABLE later (x INTEGER) STRICT;' },
    ];
    const db = openStateDatabase(file, extra);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length + 1);
    db.close();
  });

  it('refuses a database written by a newer Flotilla', () => {
    const file = join(tempDir(), 'state.db');
    const newer = [...MIGRATIONS, { version: MIGRATIONS.length + 1, description: 'future', sql: 'SELECT 1;' }];
    openStateDatabase(file, newer).close();
    expect(() => openStateDatabase(file)).toThrow(/newer than this Flotilla knows/);
  });
});
