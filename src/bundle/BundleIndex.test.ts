import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { InvalidArgumentError } from '../common/errors.js';
import { checkBundleArchive } from './checkBundleArchive.js';
import { decodeBundleIndex, encodeBundleIndex } from './BundleIndex.js';
import { tarball } from './testing/tarball.js';

const LIMITS = { maxEntries: 100, maxUnpackedBytes: 64 * 1024 };
const NAMES = { maxEntries: '--max-bundle-entries', maxUnpackedBytes: '--max-bundle-unpacked-bytes' };

const PACKAGE_JSON = JSON.stringify({ name: 'b', main: 'lib/run.js', type: 'module', x: 1 });

function file(bytes: Buffer): string {
  const path = join(tempDir(), 'bundle.tgz');
  writeFileSync(path, bytes);
  return path;
}

/** A tar header block of a file declaring `size` bytes (its content is not written). */
function header(path: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, type: 'File', size, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) }).encode(block);
  return block;
}

describe('the index of a bundle archive', () => {
  it("holds the files with their sizes and the package.json's main and type, and survives being kept", async () => {
    const index = await checkBundleArchive(
      file(
        tarball([
          { path: 'package.json', content: PACKAGE_JSON },
          { path: 'lib', type: 'Directory' },
          { path: 'lib/run.js', content: 'export function main() {}' },
          { path: 'lib/link.js', type: 'SymbolicLink', linkpath: 'run.js' },
        ]),
      ),
      LIMITS,
    );
    expect([...index.files]).toEqual([
      ['package.json', PACKAGE_JSON.length],
      ['lib/run.js', 25],
    ]);
    expect(index.packageJson).toEqual({ main: 'lib/run.js', type: 'module' });
    const kept = decodeBundleIndex(encodeBundleIndex(index));
    expect(kept).toEqual(index);
    expect(kept.files.get('constructor')).toBeUndefined();
  });

  it('records a package.json that does not parse as unreadable, and a bundle without one', async () => {
    const broken = await checkBundleArchive(file(tarball([{ path: 'package.json', content: '{ nope' }])), LIMITS);
    expect(broken.packageJson).toMatchObject({ unreadable: expect.stringMatching(/JSON/) });
    const none = await checkBundleArchive(file(tarball([{ path: 'a.js', content: '' }])), LIMITS);
    expect(none.packageJson).toBeUndefined();
  });

  it('refuses an index of another version', () => {
    expect(() => decodeBundleIndex(Buffer.from(JSON.stringify({ version: 99, files: [] })))).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('the bound on unpacked bytes', () => {
  it('refuses at the header whose size passes the limit, naming the setting, without reading what follows', async () => {
    // The archive ends right after the header: reading on would find it truncated instead.
    const bomb = gzipSync(Buffer.concat([header('package.json', 2), Buffer.alloc(512), header('zeros', 2e9)]));
    await expect(checkBundleArchive(file(bomb), LIMITS, NAMES)).rejects.toThrow(
      `the bundle holds more than ${64 * 1024} bytes unpacked (--max-bundle-unpacked-bytes), reached at "zeros"; the bundle was refused and nothing of it was unpacked`,
    );
  });

  it('refuses a tar stream longer than its entries declare (data after the last entry), naming the setting', async () => {
    const small = tarball([{ path: 'package.json', content: '{}' }]);
    const padded = gzipSync(Buffer.concat([gunzipSync(small), Buffer.alloc(4 * 1024 * 1024)]));
    await expect(checkBundleArchive(file(padded), LIMITS, NAMES)).rejects.toThrow(
      /the bundle unpacks to more than \d+ bytes of tar, more than its entries may hold \(65536 bytes, --max-bundle-unpacked-bytes, and 1024 bytes of header per entry\)/,
    );
    // Within the bound, the same shape passes.
    await expect(
      checkBundleArchive(file(padded), { ...LIMITS, maxUnpackedBytes: 8 * 1024 * 1024 }),
    ).resolves.toMatchObject({
      packageJson: {},
    });
  });
});
