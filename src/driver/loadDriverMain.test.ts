import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { DriverEntryError } from './DriverEntryError.js';
import { loadDriverMain } from './loadDriverMain.js';

/** A bundle folder with `files` (path → text). */
function bundle(files: Record<string, string>): string {
  const root = tempDir('flotilla-driver-bundle-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const whoAmI = (name: string) =>
  `export function main() { return ${JSON.stringify(name)}; }\nexport function other() { return 'other in ${name}'; }\n`;

describe('loadDriverMain', () => {
  it('runs the entry’s module and export, relative to the bundle', async () => {
    const root = bundle({
      'package.json': '{"type":"module","main":"a.js"}',
      'a.js': whoAmI('a'),
      'jobs/b.js': whoAmI('b'),
    });
    expect((await loadDriverMain(root, 'jobs/b.js#other'))(undefined, [])).toBe('other in b');
    expect((await loadDriverMain(root, 'jobs/b.js'))(undefined, [])).toBe('b');
  });

  it('takes package.json "main" for an entry without module, else index.js', async () => {
    const withMain = bundle({
      'package.json': '{"type":"module","main":"./lib/app.js"}',
      'lib/app.js': whoAmI('lib/app'),
      'index.js': whoAmI('index'),
    });
    expect((await loadDriverMain(withMain, ''))(undefined, [])).toBe('lib/app');
    expect((await loadDriverMain(withMain, '#other'))(undefined, [])).toBe('other in lib/app');
    const withoutMain = bundle({ 'package.json': '{"type":"module"}', 'index.js': whoAmI('index') });
    expect((await loadDriverMain(withoutMain, ''))(undefined, [])).toBe('index');
  });

  it('loads a CommonJS bundle’s exports', async () => {
    const root = bundle({ 'package.json': '{"main":"main.js"}', 'main.js': 'exports.main = () => "cjs";\n' });
    expect((await loadDriverMain(root, ''))(undefined, [])).toBe('cjs');
  });

  it('names what it looked for when the module is missing', async () => {
    const root = bundle({ 'package.json': '{"type":"module"}' });
    await expect(loadDriverMain(root, '')).rejects.toThrow(
      new DriverEntryError(
        `the driver's module "index.js" (from the default, as package.json names no "main") is not in the bundle (looked for ${join(root, 'index.js')})`,
      ),
    );
    const named = bundle({ 'package.json': '{"type":"module","main":"dist/app.js"}' });
    await expect(loadDriverMain(named, '#run')).rejects.toThrow(
      `the driver's module "dist/app.js" (from package.json "main") is not in the bundle (looked for ${join(named, 'dist/app.js')})`,
    );
    await expect(loadDriverMain(named, '../outside.js')).rejects.toThrow(
      'the driver\'s module "../outside.js" (from the entry "../outside.js") lies outside the bundle; name a module inside it',
    );
  });

  it('names the export it looked for, and the exported functions there are', async () => {
    const root = bundle({ 'package.json': '{"type":"module"}', 'index.js': whoAmI('index') });
    await expect(loadDriverMain(root, '#run')).rejects.toThrow(
      new DriverEntryError(
        'the driver\'s module "index.js" does not export "run"; the entry must name an exported function (module#export; its exported functions: main, other)',
      ),
    );
  });

  it('passes on what the module’s own top-level code throws', async () => {
    const root = bundle({
      'package.json': '{"type":"module"}',
      'index.js': 'throw new SyntaxError("config.json is not JSON");\n',
    });
    await expect(loadDriverMain(root, '')).rejects.toThrow(new SyntaxError('config.json is not JSON'));
  });
});
