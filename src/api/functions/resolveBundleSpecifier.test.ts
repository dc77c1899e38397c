import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBundleSpecifier } from './resolveBundleSpecifier.js';
import { writeFiles } from './testing/writeFixtureBundle.js';

let root: string;
let moduleFile: string;
const url = (path: string): string => pathToFileURL(join(root, path)).href;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'flotilla-resolve-'));
  writeFiles(root, {
    'package.json': JSON.stringify({ type: 'module', imports: { '#util': './lib/util.js', '#dep': 'legacy' } }),
    'jobs/main.js': '',
    'lib/util.js': '',
    'node_modules/dual/package.json': JSON.stringify({
      exports: { '.': { require: './main.cjs', import: './main.mjs' }, './feature': { import: './feature.mjs' } },
    }),
    'node_modules/legacy/package.json': JSON.stringify({ main: 'lib/entry' }),
    'node_modules/legacy/lib/entry.js': '',
    'node_modules/legacy/other.js': '',
    'node_modules/@scope/pkg/package.json': JSON.stringify({ exports: './index.js' }),
    'jobs/node_modules/nearer/package.json': JSON.stringify({}),
    'jobs/node_modules/nearer/index.js': '',
  });
  moduleFile = join(root, 'jobs', 'main.js');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveBundleSpecifier', () => {
  it('keeps builtins and file URLs, and resolves relative paths from the module folder', () => {
    expect(resolveBundleSpecifier('node:path', moduleFile)).toBe('node:path');
    expect(resolveBundleSpecifier('fs', moduleFile)).toBe('fs');
    expect(resolveBundleSpecifier('./steps.js', moduleFile)).toBe(url('jobs/steps.js'));
    expect(resolveBundleSpecifier('../lib/util.js', moduleFile)).toBe(url('lib/util.js'));
  });

  it("resolves packages from the node_modules folders above the module, with exports' import condition", () => {
    expect(resolveBundleSpecifier('dual', moduleFile)).toBe(url('node_modules/dual/main.mjs'));
    expect(resolveBundleSpecifier('dual/feature', moduleFile)).toBe(url('node_modules/dual/feature.mjs'));
    expect(resolveBundleSpecifier('@scope/pkg', moduleFile)).toBe(url('node_modules/@scope/pkg/index.js'));
    expect(resolveBundleSpecifier('nearer', moduleFile)).toBe(url('jobs/node_modules/nearer/index.js'));
    expect(() => resolveBundleSpecifier('dual/hidden', moduleFile)).toThrow(/"dual\/hidden" is not exported by .*dual/);
  });

  it('resolves packages without exports by main, with the legacy extension search, and by subpath', () => {
    expect(resolveBundleSpecifier('legacy', moduleFile)).toBe(url('node_modules/legacy/lib/entry.js'));
    expect(resolveBundleSpecifier('legacy/other.js', moduleFile)).toBe(url('node_modules/legacy/other.js'));
  });

  it("resolves # specifiers with the nearest package's imports", () => {
    expect(resolveBundleSpecifier('#util', moduleFile)).toBe(url('lib/util.js'));
    expect(resolveBundleSpecifier('#dep', moduleFile)).toBe(url('node_modules/legacy/lib/entry.js'));
    expect(() => resolveBundleSpecifier('#nope', moduleFile)).toThrow(/not defined by "imports"/);
  });

  it('leaves a package the bundle does not have to resolve from Flotilla itself', () => {
    expect(resolveBundleSpecifier('not-in-the-bundle', moduleFile)).toBe('not-in-the-bundle');
  });
});
