import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { InvalidArgumentError } from '../common/errors.js';
import { tarball } from './testing/tarball.js';
import { bundleEntryChecker } from './checkBundleEntry.js';

const ARTIFACT = 'b'.repeat(64);

function storedBundle(): string {
  const file = join(tempDir(), ARTIFACT);
  writeFileSync(
    file,
    tarball([
      { path: 'package.json', content: JSON.stringify({ name: 'bundle', type: 'module', main: 'main.js' }) },
      { path: 'main.js', content: 'export async function main(env, args) {}\nexport function other() {}\n' },
    ]),
  );
  return file;
}

describe('bundleEntryChecker', () => {
  it('reads a stored bundle once per entry found: the same artifact and entry again is not read', async () => {
    const file = storedBundle();
    const check = bundleEntryChecker();
    await check(ARTIFACT, file, '#main');
    rmSync(file);
    await check(ARTIFACT, file, '#main');
    // Another entry of the same artifact is read (and the file is gone now).
    await expect(check(ARTIFACT, file, 'main.js#other')).rejects.toThrow(/ENOENT/);
  });

  it('refuses an entry the bundle lacks, naming what it has', async () => {
    const check = bundleEntryChecker();
    const file = storedBundle();
    const refusal = /entry "main.js#missing": the module "main.js" does not export "missing"; its exports: main, other/;
    await expect(check(ARTIFACT, file, 'main.js#missing')).rejects.toThrow(InvalidArgumentError);
    await expect(check(ARTIFACT, file, 'main.js#missing')).rejects.toThrow(refusal);
  });
});
