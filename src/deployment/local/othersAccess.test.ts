import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { othersCannot } from './othersAccess.js';

describe('othersCannot', () => {
  it('names the folder in the way, or the file others cannot read; nothing when they can', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const open = join(root, 'open');
    const closed = join(root, 'closed');
    mkdirSync(open, { mode: 0o755 });
    mkdirSync(closed, { mode: 0o700 });
    writeFileSync(join(open, 'readable'), 'x', { mode: 0o644 });
    writeFileSync(join(open, 'private'), 'x', { mode: 0o600 });
    writeFileSync(join(closed, 'readable'), 'x', { mode: 0o644 });

    expect(othersCannot(join(open, 'readable'), 'read')).toBeUndefined();
    expect(othersCannot(open, 'list')).toBeUndefined();
    expect(othersCannot(join(open, 'not-yet', 'deeper'), 'list')).toBeUndefined();
    expect(othersCannot(join(open, 'private'), 'read')).toBe(
      `${join(open, 'private')} is mode 0600, which others cannot read`,
    );
    expect(othersCannot(join(closed, 'readable'), 'read')).toBe(`${closed} is mode 0700, which others cannot enter`);
    expect(othersCannot(join(closed, 'not-yet'), 'list')).toBe(`${closed} is mode 0700, which others cannot enter`);
    chmodSync(open, 0o711);
    expect(othersCannot(open, 'enter')).toBeUndefined();
    expect(othersCannot(open, 'list')).toBe(`${open} is mode 0711, which others cannot list`);
    expect(othersCannot(join(open, 'readable'), 'execute')).toBe(
      `${join(open, 'readable')} is mode 0644, which others cannot execute`,
    );
  });
});
