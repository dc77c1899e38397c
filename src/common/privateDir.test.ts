import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, SharedStateDirError } from './privateDir.js';
import { tempDir } from './testing/tempDir.js';

describe('ensurePrivateDir', () => {
  it('creates a missing folder and its parents with mode 0700', () => {
    const dir = join(tempDir(), 'a', 'b');
    ensurePrivateDir(dir, 'the state dir');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
  });

  it('accepts a folder of its own that only its owner can enter, again and again', () => {
    const dir = tempDir();
    chmodSync(dir, 0o700);
    ensurePrivateDir(dir, 'the state dir');
    ensurePrivateDir(dir, 'the state dir');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([0o755, 0o750, 0o701, 0o770, 0o707, 0o1777])('refuses mode %o, saying chmod 700 fixes it', (mode) => {
    const dir = tempDir();
    chmodSync(dir, mode);
    expect(() => ensurePrivateDir(dir, 'the state dir')).toThrow(SharedStateDirError);
    expect(() => ensurePrivateDir(dir, 'the state dir')).toThrow(
      `the state dir ${dir} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}: other users can read or change it (secrets, bundles); run chmod 700 ${dir} and start again`,
    );
  });

  it('refuses a folder of another user, naming both uids and chown (as root, who can make one)', () => {
    const uid = process.getuid!();
    expect(uid, 'the test runs as root, as on this machine and in CI').toBe(0);
    const dir = tempDir();
    chmodSync(dir, 0o700);
    chownSync(dir, 65534, 65534);
    expect(() => ensurePrivateDir(dir, 'the state dir')).toThrow(
      `the state dir ${dir} belongs to uid 65534, not to this process's uid 0: its owner could change what this process keeps and runs there; use a folder of your own, or run chown -R 0 ${dir} if it should be`,
    );
  });

  it('refuses a file where the folder should be', () => {
    const file = join(tempDir(), 'state');
    writeFileSync(file, '');
    expect(() => ensurePrivateDir(file, 'the state dir')).toThrow(
      `the state dir ${file} is not a folder; name a folder of your own`,
    );
  });

  it('leaves an existing parent as it was', () => {
    const parent = join(tempDir(), 'shared');
    mkdirSync(parent, { mode: 0o755 });
    chmodSync(parent, 0o755);
    ensurePrivateDir(join(parent, 'state'), 'the state dir');
    expect(statSync(parent).mode & 0o777).toBe(0o755);
    expect(statSync(join(parent, 'state')).mode & 0o777).toBe(0o700);
  });
});
