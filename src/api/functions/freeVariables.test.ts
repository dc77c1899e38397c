import { describe, expect, it } from 'vitest';
import { contextReferences } from './contextReferences.js';
import { walkNodes } from './forEachChildNode.js';
import { freeVariables, type FunctionNode } from './freeVariables.js';
import { analyzeScopes, parseProgram } from './parseProgram.js';
import { parseFunctionSource } from './parseFunctionSource.js';

function free(source: string): string[] {
  const parsed = parseFunctionSource(source, 'the function');
  return freeVariables(analyzeScopes(parsed.parsed), parsed.node).map((variable) => variable.name);
}

function context(source: string): string[] {
  return contextReferences(parseFunctionSource(source, 'the function').node).map((reference) => reference.name);
}

/** The context references of the first arrow function in a module (new.target only parses inside a function). */
function contextOfArrowIn(moduleSource: string): string[] {
  let arrow: FunctionNode | undefined;
  walkNodes(parseProgram(moduleSource, 'module').program, (node) => {
    if (arrow === undefined && node.type === 'ArrowFunctionExpression') arrow = node as FunctionNode;
  });
  if (arrow === undefined) throw new Error('no arrow function');
  return contextReferences(arrow).map((reference) => reference.name);
}

describe('freeVariables', () => {
  it('binds parameters with destructuring, defaults and rest, but reads the defaults', () => {
    expect(free('({ a, b: [c = d] = e, ...f }, [g, , h] = i, ...j) => a + c + f + g + h + j + k')).toEqual([
      'd',
      'e',
      'i',
      'k',
    ]);
  });

  it('hoists var and function declarations and scopes let and const to their blocks', () => {
    expect(
      free('() => { f(); function f() { return v; } var v = 1; { const q = 1; let r = q; } return q + r; }'),
    ).toEqual(['q', 'r']);
  });

  it('binds catch parameters, also destructured, only inside the catch block', () => {
    expect(free('() => { try { x(); } catch ({ message }) { return message + m; } return message; }')).toEqual([
      'x',
      'm',
      'message',
    ]);
  });

  it('sees through nested functions, and a named function expression binds its own name', () => {
    expect(free('function fact(n) { const inner = (k) => k * outer; return n ? n * fact(n - 1) : inner(1); }')).toEqual(
      ['outer'],
    );
  });

  it('reads shorthand properties and computed keys but not plain keys or member names', () => {
    expect(free('() => ({ a, b: 1, [c]: 2, d() { return e.f.g; }, h: i[j] })')).toEqual(['a', 'c', 'e', 'i', 'j']);
  });

  it('ignores labels and reads class heritage, field values and static blocks', () => {
    expect(free('() => { outer: for (;;) { break outer; } }')).toEqual([]);
    expect(free('() => class A extends B { static s = C; #p = A; m() { return this.#p + D; } static { E; } }')).toEqual(
      ['B', 'C', 'D', 'E'],
    );
  });

  it('parses method shorthand, async and generator methods', () => {
    expect(free('scale({ x }) { return x * factor; }')).toEqual(['factor']);
    expect(free('async *rows(n) { yield await source(n); }')).toEqual(['source']);
    expect(parseFunctionSource('async *rows(n) { yield n; }', 'f').expression).toBe('async function* (n) { yield n; }');
  });

  it('parses async arrows, async functions and generators', () => {
    expect(free('async (x) => await fetchIt(x)')).toEqual(['fetchIt']);
    expect(free('async function load(x) { return load === x ? y : 0; }')).toEqual(['y']);
    expect(free('function* () { yield* z; }')).toEqual(['z']);
  });

  it('reports arguments used by an arrow function, not by a function', () => {
    expect(free('() => arguments[0]')).toEqual(['arguments']);
    expect(free('function () { return arguments[0]; }')).toEqual([]);
  });

  it('marks names used only under typeof', () => {
    const parsed = parseFunctionSource('() => typeof window === "undefined" ? a : typeof a', 'f');
    const variables = freeVariables(analyzeScopes(parsed.parsed), parsed.node);
    expect(variables.map((variable) => [variable.name, variable.onlyTypeof])).toEqual([
      ['window', true],
      ['a', false],
    ]);
  });
});

describe('contextReferences', () => {
  it('finds this, super and new.target of the enclosing scope of an arrow function', () => {
    expect(contextOfArrowIn('class A { m() { return () => this.x + new.target + super.y; } }')).toEqual([
      'this',
      'new.target',
      'super',
    ]);
    expect(context('() => [function () { return this; }, class { f = this; [this.key]() {} }]')).toEqual(['this']);
  });

  it('allows the own this of a function but not super of a method', () => {
    expect(context('function () { return () => this; }')).toEqual([]);
    expect(context('m() { return super.m() + this.x; }')).toEqual(['super']);
  });

  it('finds import.meta anywhere', () => {
    expect(context('function () { return () => function () { return import.meta.url; }; }')).toEqual(['import.meta']);
  });
});

describe('parseFunctionSource', () => {
  it('refuses what cannot be shipped', () => {
    expect(() => parseFunctionSource('function max() { [native code] }', 'f')).toThrow(/native or bound/);
    expect(() => parseFunctionSource('class A {}', 'f')).toThrow(/is a class/);
    expect(() => parseFunctionSource('get size() { return 1; }', 'f')).toThrow(/is a getter/);
    expect(() => parseFunctionSource('not a function at all', 'f')).toThrow(/does not parse as a function/);
  });
});
