import { readFileSync, mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { packBundle } from './bundlePacker.js';

function makeBundle(root: string) {
  mkdirSync(join(root, 'lib'), { recursive: true });
  mkdirSync(join(root, '.git'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"b","type":"module"}');
  writeFileSync(join(root, 'lib', 'util.js'), 'export const x = 1;');
  writeFileSync(join(root, 'main.js'), 'export function main() {}');
  writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main');
}

describe('packBundle', () => {
  it('gives the same bytes for the same content, whatever the timestamps', async () => {
    const a = join(tempDir(), 'bundle');
    const b = join(tempDir(), 'bundle');
    makeBundle(a);
    makeBundle(b);
    utimesSync(join(b, 'main.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const first = await packBundle(a);
    const second = await packBundle(b);
    expect(readFileSync(first.file).equals(readFileSync(second.file))).toBe(true);
    expect(first.fileName).toBe('bundle.tgz');
    first.cleanup();
    second.cleanup();
  });

  it('refuses a folder without package.json and a file that is not a .tgz', async () => {
    const empty = tempDir();
    await expect(packBundle(empty)).rejects.toThrow(/has no package.json/);
    writeFileSync(join(empty, 'x.zip'), 'zip');
    await expect(packBundle(join(empty, 'x.zip'))).rejects.toThrow(/not a .tgz/);
    await expect(packBundle(join(empty, 'missing'))).rejects.toThrow(/does not exist/);
  });
});
