/**
 * Writes a small bundle to a temporary folder for the tests of capture and load: an ESM package
 * (`"type": "module"`, with an `imports` map) whose `main.mjs` passes functions to a `capture`
 * callback, a sibling module, a JSON file, and a tiny dependency under `node_modules` whose ESM and
 * CommonJS entries differ, so a test can tell which one a worker imported.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURE_MAIN_SOURCE } from './fixtureMainSource.js';

/** A bundle written to disk. */
export interface FixtureBundle {
  /** The bundle's root folder. */
  root: string;
  /** The absolute path of `main.mjs`. */
  mainFile: string;
  /** The 1-based line of the `// MARK:<name>` comment in `main.mjs`. */
  line(marker: string): number;
  /** Imports `main.mjs` with Node's own loader, as a bundle's entry is imported in production. */
  importMain(): Promise<Record<string, unknown>>;
  /** Copies the bundle to a new folder, as a task executor would unpack it, and returns that folder. */
  copy(): string;
  /** Deletes the bundle and its copies. */
  remove(): void;
}

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture-bundle', type: 'module', imports: { '#local': './helpers.mjs' } }),
  'main.mjs': FIXTURE_MAIN_SOURCE,
  'helpers.mjs': 'export const offset = 100;\n',
  'data.json': '{ "answer": 42 }\n',
  'node_modules/tiny-math/package.json': JSON.stringify({
    name: 'tiny-math',
    exports: { '.': { import: './index.mjs', require: './index.cjs' } },
  }),
  'node_modules/tiny-math/index.mjs': 'export function triple(x) {\n  return 3 * x;\n}\n',
  'node_modules/tiny-math/index.cjs':
    "exports.triple = () => {\n  throw new Error('the CommonJS entry was used');\n};\n",
};

/** Writes the fixture bundle to a fresh temporary folder. */
export function writeFixtureBundle(): FixtureBundle {
  const base = mkdtempSync(join(tmpdir(), 'flotilla-functions-'));
  // vitest transforms the modules it imports (rewriting their imports, and so the text that
  // Function.prototype.toString returns) unless they sit under a node_modules folder, which it
  // leaves to Node's own loader, as production does; so the bundles are written under one.
  const root = join(base, 'node_modules', 'driver');
  writeFiles(root, FILES);
  const mainFile = join(root, 'main.mjs');
  const lines = FIXTURE_MAIN_SOURCE.split('\n');
  let copies = 0;
  return {
    root,
    mainFile,
    line(marker) {
      const index = lines.findIndex((line) => line.includes(`// MARK:${marker}`));
      if (index < 0) throw new Error(`no marker ${marker} in main.mjs`);
      return index + 1;
    },
    importMain: () => import(pathToFileURL(mainFile).href) as Promise<Record<string, unknown>>,
    copy() {
      const target = join(base, 'node_modules', `worker-${++copies}`);
      cpSync(root, target, { recursive: true });
      return target;
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** Writes `files` (relative path to text) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
