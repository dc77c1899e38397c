import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { captureUserFunction } from './captureUserFunction.js';
import { clearUserFunctionCache, loadUserFunction } from './loadUserFunction.js';
import { clearModuleCache } from './readModule.js';
import { writeFiles, writeFixtureBundle, type FixtureBundle } from './testing/writeFixtureBundle.js';
import { UserFunctionLoadError } from './UserFunctionLoadError.js';

type Capture = (fn: unknown, bound?: Record<string, unknown>) => UserFunctionSpec;
type Helper = (capture: Capture, ...args: unknown[]) => UserFunctionSpec;

let bundle: FixtureBundle;
let main: Record<string, Helper>;

beforeAll(async () => {
  bundle = writeFixtureBundle();
  main = (await bundle.importMain()) as Record<string, Helper>;
});

afterAll(() => bundle.remove());

afterEach(() => {
  clearUserFunctionCache();
  clearModuleCache();
});

/** Captures on the "driver" (the bundle's own folder), as main() would at the marked line. */
function capture(helper: string, marker: string, ...args: unknown[]): UserFunctionSpec {
  const callSite = { file: bundle.mainFile, line: bundle.line(marker) };
  return main[helper]!(
    (fn, bound) =>
      captureUserFunction(fn, { callSite, bundleRoot: bundle.root, operator: 'map', ...(bound ? { bound } : {}) }),
    ...args,
  );
}

/** Loads on a "worker": a fresh copy of the bundle in another folder, with every cache empty. */
async function loadOnWorker<F extends (...args: never[]) => unknown>(
  spec: UserFunctionSpec,
  root = bundle.copy(),
): Promise<F> {
  clearUserFunctionCache();
  clearModuleCache();
  return loadUserFunction<F>(spec, { bundleRoot: root });
}

describe('loadUserFunction', () => {
  it('runs an arrow function with its imports: a package, a sibling module, #imports, JSON', async () => {
    const spec = capture('usesImports', 'usesImports');
    const fn = await loadOnWorker<(x: number) => number>(spec);
    expect(fn(2)).toBe(6 + 100 + 100 + 42);
  });

  it("imports from the worker's copy of the bundle, not the driver's", async () => {
    const spec = capture('usesImports', 'usesImports');
    const root = bundle.copy();
    writeFiles(root, { 'helpers.mjs': 'export const offset = 1000;\n' });
    const fn = await loadOnWorker<(x: number) => number>(spec, root);
    expect(fn(2)).toBe(6 + 1000 + 1000 + 42);
  });

  it('reads exported names, also exported under another name, from the module namespace', async () => {
    const spec = capture('usesExports', 'usesExports');
    const before = (globalThis as { fixtureEvaluations?: number }).fixtureEvaluations ?? 0;
    const fn = await loadOnWorker<(x: number) => number>(spec);
    expect(fn(2)).toBe(21);
    // The worker's copy of main.mjs was evaluated to read its exports.
    expect((globalThis as { fixtureEvaluations?: number }).fixtureEvaluations).toBe(before + 1);
  });

  it('binds values passed explicitly, over a local of the same name', async () => {
    const fn = await loadOnWorker<(x: number) => number>(
      capture('usesBound', 'usesBound', { factor: 3, names: ['a', 'b'] }),
    );
    expect(fn(2)).toBe(8);
    const shadowing = await loadOnWorker<(x: number) => boolean>(
      capture('shadowsLocalWithBound', 'shadowsLocalWithBound'),
    );
    expect([shadowing(5), shadowing(11)]).toEqual([false, true]);
  });

  it('runs functions using globals, destructuring, nested and hoisted functions', async () => {
    const globals = await loadOnWorker<(xs: string[]) => string>(capture('usesGlobals', 'usesGlobals'));
    expect(globals(['3', '9'])).toBe('{"biggest":9,"bytes":2}');
    const analysed = await loadOnWorker<(value: { a: number; b: number[] }, ...rest: string[]) => number>(
      capture('analysedRight', 'analysedRight'),
    );
    expect(analysed({ a: 2, b: [5] }, 'x')).toBe(2 + 5 + 1);
  });

  it('runs method shorthand, async functions and recursive module-level functions', async () => {
    const method = await loadOnWorker<(x: number) => number>(capture('usesMethod', 'usesMethod'));
    expect(method(2)).toBe(42);
    const asyncFn = await loadOnWorker<(name: string) => Promise<string>>(capture('usesAsync', 'usesAsync'));
    await expect(asyncFn('x.csv')).resolves.toBe('x.csv');
    const factorial = await loadOnWorker<(n: number) => number>(capture('usesRecursion', 'usesRecursion'));
    expect(factorial(5)).toBe(120);
  });

  it("points stack traces at the module's line", async () => {
    const fn = await loadOnWorker<(x: number) => never>(capture('throwsError', 'throwsError'));
    expect(() => fn(7)).toThrow('bad record 7');
    try {
      fn(7);
    } catch (error) {
      expect((error as Error).stack).toContain(`main.mjs:${bundle.line('thrownAt')}:`);
    }
  });

  it('caches per module and source, so later subtasks need not read the module again', async () => {
    const spec = capture('usesImports', 'usesImports');
    const root = bundle.copy();
    const first = await loadOnWorker<(x: number) => number>(spec, root);
    rmSync(join(root, 'main.mjs'));
    const second = await loadUserFunction<(x: number) => number>(spec, { bundleRoot: root });
    expect(second(1)).toBe(first(1));
    clearUserFunctionCache();
    await expect(loadUserFunction(spec, { bundleRoot: root })).rejects.toThrow(UserFunctionLoadError);
  });

  it('names the module and line when loading fails', async () => {
    const spec = capture('usesImports', 'usesImports');
    const root = bundle.copy();
    rmSync(join(root, 'node_modules', 'tiny-math'), { recursive: true });
    await expect(loadOnWorker(spec, root)).rejects.toThrow(
      new RegExp(`^cannot load the function at main\\.mjs:${bundle.line('usesImports')} on this task executor: `),
    );
    await expect(loadOnWorker({ ...spec, module: '../outside.mjs' })).rejects.toThrow(/lies outside the bundle/);
    await expect(loadOnWorker({ ...spec, module: 'missing.mjs' })).rejects.toThrow(
      /missing\.mjs:\d+ on this task executor: ENOENT/,
    );
  });
});
