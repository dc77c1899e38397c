/**
 * A small bundle folder for tests: a package.json, an entry module, a dependency under
 * node_modules and a relative `.bin` link to it, the shapes a real bundle has.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The files of the fixture, by path relative to its folder. */
export const FIXTURE_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', main: 'main.js' }),
  'main.js': 'export default function main() { return 42; }\n',
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', bin: { dep: 'cli.js' } }),
  'node_modules/dep/cli.js': '#!/usr/bin/env node\nconsole.log("dep");\n',
};

/** Writes the fixture into `folder` (created if missing) and returns `folder`. */
export function writeFixtureFolder(folder: string): string {
  for (const [path, content] of Object.entries(FIXTURE_FILES)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  mkdirSync(join(folder, 'node_modules/.bin'), { recursive: true });
  symlinkSync('../dep/cli.js', join(folder, 'node_modules/.bin/dep'));
  return folder;
}
