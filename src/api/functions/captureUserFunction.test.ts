import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { BoundValueError } from './BoundValueError.js';
import { CapturedVariableError } from './CapturedVariableError.js';
import { captureUserFunction } from './captureUserFunction.js';
import { writeFixtureBundle, type FixtureBundle } from './testing/writeFixtureBundle.js';
import { UnsupportedFunctionError } from './UnsupportedFunctionError.js';

type Capture = (fn: unknown, bound?: Record<string, unknown>) => unknown;
type Helper = (capture: Capture, ...args: unknown[]) => unknown;

let bundle: FixtureBundle;
let main: Record<string, Helper>;

beforeAll(async () => {
  bundle = writeFixtureBundle();
  main = (await bundle.importMain()) as Record<string, Helper>;
});

afterAll(() => bundle.remove());

/** A capture callback for the fixture, as `.map` at the marked line of main.mjs would call it. */
function mapAt(marker: string): Capture {
  return (fn, bound) =>
    captureUserFunction(fn, {
      callSite: { file: bundle.mainFile, line: bundle.line(marker) },
      bundleRoot: bundle.root,
      operator: 'map',
      ...(bound ? { bound } : {}),
    });
}

function refusal(run: () => unknown): CapturedVariableError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapturedVariableError) return error;
    throw error;
  }
  throw new Error('the function was not refused');
}

describe('captureUserFunction', () => {
  it('captures a function that uses the module imports', () => {
    const spec = main.usesImports(mapAt('usesImports'));
    expect(spec).toEqual({
      source: '(x) => triple(x) + helpers.offset + localOffset + data.answer',
      module: 'main.mjs',
      line: bundle.line('usesImports'),
      boundValuesJson: '{}',
    });
  });

  it('allows exported names, also under another name, and finds where the function starts', () => {
    const spec = main.usesExports(mapAt('usesExports')) as { line: number; source: string };
    expect(spec.line).toBe(bundle.line('usesExports'));
    expect(spec.source).toMatch(/^function \(x\) \{/);
  });

  it('refuses a local variable of main(), naming it and its lines', () => {
    const error = refusal(() => main.usesLocal(mapAt('usesLocal')));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(
      `the function passed to map at main.mjs:${bundle.line('usesLocal')} uses "threshold" ` +
        `(main.mjs:${bundle.line('thresholdUsed')}), a local variable of usesLocal() declared at ` +
        `main.mjs:${bundle.line('thresholdDeclared')}; functions run on task executors and can only use globals, ` +
        `the module's imports and exports, and values passed explicitly, e.g. .map(fn, { with: { threshold } })`,
    );
    expect(error.variables).toEqual([
      {
        name: 'threshold',
        kind: 'local',
        usedAt: `main.mjs:${bundle.line('thresholdUsed')}`,
        declaredAt: `main.mjs:${bundle.line('thresholdDeclared')}`,
        declaredIn: 'usesLocal()',
      },
    ]);
  });

  it('refuses a module-level variable the module does not export', () => {
    const error = refusal(() => main.usesModuleConst(mapAt('usesModuleConst')));
    expect(error.message).toContain(
      `"SECRET" (main.mjs:${bundle.line('usesModuleConst')}), a module-level variable that main.mjs does not export ` +
        `declared at main.mjs:${bundle.line('secretDeclared')}`,
    );
  });

  it('refuses parameters, catch variables, this, arguments and import.meta of the enclosing scopes', () => {
    const parameter = refusal(() => main.usesParameterAndThis(mapAt('usesParameterAndThis'), 5));
    expect(parameter.variables.map((variable) => [variable.name, variable.kind])).toEqual([
      ['limit', 'parameter'],
      ['this', 'context'],
    ]);
    expect(parameter.message).toContain('"limit" (main.mjs:');
    expect(parameter.message).toContain('a parameter of usesParameterAndThis()');
    expect(parameter.message).toContain('"this" (main.mjs:');
    expect(parameter.message).toContain('.map(fn, { with: { limit } })');

    const caught = refusal(() => main.usesCatchAndArguments(mapAt('usesCatchAndArguments')));
    expect(caught.variables.map((variable) => [variable.name, variable.kind])).toEqual([
      ['problem', 'catchParameter'],
      ['arguments', 'context'],
    ]);

    const meta = refusal(() => main.usesImportMeta(mapAt('usesImportMeta')));
    expect(meta.message).toContain('"import.meta" (main.mjs:');
  });

  it('binds values passed explicitly, even over a local of the same name', () => {
    const spec = main.usesBound(mapAt('usesBound'), { factor: 3, names: ['a', 'b'] }) as { boundValuesJson: string };
    expect(JSON.parse(spec.boundValuesJson)).toEqual({ factor: 3, names: ['a', 'b'] });
    expect(() => main.shadowsLocalWithBound(mapAt('shadowsLocalWithBound'))).not.toThrow();

    const missing = refusal(() => main.usesBound(mapAt('usesBound')));
    expect(missing.variables.map((variable) => [variable.name, variable.kind])).toEqual([
      ['factor', 'undeclared'],
      ['names', 'undeclared'],
    ]);
  });

  it('refuses bound values that JSON would drop or change, naming the key', () => {
    const bind = (bound: Record<string, unknown>): unknown => main.usesBound(mapAt('usesBound'), bound);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ factor: new Date(0), names: [] }, /as "factor" .*: factor is a Date/],
      [{ factor: () => 1, names: [] }, /factor is a function/],
      [{ factor: Number.NaN, names: [] }, /factor is NaN/],
      [{ factor: undefined, names: [] }, /factor is undefined/],
      [{ factor: 1, names: [1, { x: new Map() }] }, /as "names" .*: names\[1\]\.x is a Map/],
      [{ factor: 1n, names: [] }, /factor is a bigint/],
      [{ 'not-a-name': 1 }, /"not-a-name" is not a valid variable name/],
    ];
    for (const [bound, message] of cases) {
      expect(() => bind(bound)).toThrow(BoundValueError);
      expect(() => bind(bound)).toThrow(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => bind({ factor: cyclic, names: [] })).toThrow(/factor\.self refers back to itself/);
  });

  it('allows globals of Node, names used only under typeof, and analyses scopes right', () => {
    expect(() => main.usesGlobals(mapAt('usesGlobals'))).not.toThrow();
    expect(() => main.analysedRight(mapAt('analysedRight'))).not.toThrow();
    expect(() => main.usesAsync(mapAt('usesAsync'))).not.toThrow();
  });

  it('captures method shorthand and a recursive module-level function', () => {
    const method = main.usesMethod(mapAt('usesMethod')) as { source: string; line: number };
    expect(method.source).toBe('scale(x) { return triple(x) * FACTOR; }');
    expect(method.line).toBe(bundle.line('usesMethod'));
    const recursive = main.usesRecursion(mapAt('usesRecursion')) as { line: number };
    expect(recursive.line).toBe(bundle.line('factorial'));
  });

  it('tells apart the same text written twice by the call site', () => {
    const lines: number[] = [];
    main.sameTextTwice((fn: unknown) => {
      const marker = lines.length === 0 ? 'sameTextFirst' : 'sameTextSecond';
      lines.push((mapAt(marker)(fn) as { line: number }).line);
    });
    expect(lines).toEqual([bundle.line('sameTextFirst'), bundle.line('sameTextSecond')]);
  });

  it('refuses native and bound functions and classes', () => {
    const capture = mapAt('usesImports');
    expect(() => capture(Math.max)).toThrow(UnsupportedFunctionError);
    expect(() => capture(Math.max)).toThrow(/is a native or bound function/);
    expect(() => capture(((x: number) => x).bind(null))).toThrow(/is a native or bound function/);
    expect(() => capture(class Point {})).toThrow(/is a class/);
    expect(() => capture(42)).toThrow(InvalidArgumentError);
  });

  it('reads the call site from the stack when none is given', () => {
    const spec = main.usesImports((fn: unknown) => captureUserFunction(fn, { bundleRoot: bundle.root })) as {
      module: string;
      line: number;
    };
    expect(spec).toMatchObject({ module: 'main.mjs', line: bundle.line('usesImports') });
  });

  it('checks a function not written in the call site module against that module, from the call site line', () => {
    const callSite = { file: bundle.mainFile, line: 3 };
    const limit = 1;
    const error = refusal(() => captureUserFunction((x: number) => x > limit, { callSite, bundleRoot: bundle.root }));
    expect(error.message).toContain(
      'the function at main.mjs:3 uses "limit" (main.mjs:3), a variable of an enclosing scope',
    );
    expect(error.message).toContain('e.g. pass { with: { limit } } as its options');
    // FACTOR is exported by main.mjs, and the function is checked against main.mjs's bindings.
    const spec = captureUserFunction((x: number) => x * FACTOR, { callSite, bundleRoot: bundle.root });
    expect(spec.line).toBe(3);
  });

  it('keeps the absolute path of a module outside the bundle root or without one', () => {
    const spec = main.usesImports((fn: unknown) =>
      captureUserFunction(fn, { callSite: { file: bundle.mainFile, line: 1 } }),
    ) as { module: string };
    expect(spec.module).toBe(bundle.mainFile);
  });
});

/** Exported by the fixture's main.mjs; declared here only so a function in this file can name it. */
declare const FACTOR: number;
