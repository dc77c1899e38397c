import { describe, expect, it } from 'vitest';
import { moduleBindings } from './moduleBindings.js';
import { parseProgram } from './parseProgram.js';

const SOURCE = `import def, { a, b as c, 'd e' as f } from 'pkg';
import * as ns from './ns.js';
import data from './data.json' with { type: 'json' };
import './side-effect.js';
export const x = 1, { y, z: [w = 2] } = {};
export function fn() {}
export class K {}
const hidden = 1;
let later;
function internal() {}
export { internal as renamed, hidden as 'with space' };
export { re } from './other.js';
export * from './all.js';
export default function main() {}
`;

describe('moduleBindings', () => {
  const bindings = moduleBindings(parseProgram(SOURCE, 'module').program);

  it('reads default, named, renamed, string-named and namespace imports with attributes', () => {
    expect(Object.fromEntries(bindings.imports)).toEqual({
      def: { specifier: 'pkg', imported: 'default', attributes: {}, line: 1 },
      a: { specifier: 'pkg', imported: 'a', attributes: {}, line: 1 },
      c: { specifier: 'pkg', imported: 'b', attributes: {}, line: 1 },
      f: { specifier: 'pkg', imported: 'd e', attributes: {}, line: 1 },
      ns: { specifier: './ns.js', imported: '*', attributes: {}, line: 2 },
      data: { specifier: './data.json', imported: 'default', attributes: { type: 'json' }, line: 3 },
    });
  });

  it('maps exported local names to the names they are exported as, ignoring re-exports', () => {
    expect(Object.fromEntries(bindings.exports)).toEqual({
      x: 'x',
      y: 'y',
      w: 'w',
      fn: 'fn',
      K: 'K',
      internal: 'renamed',
      hidden: 'with space',
      main: 'default',
    });
  });

  it('lists every top-level declaration with its line', () => {
    expect(Object.fromEntries(bindings.topLevel)).toEqual({
      x: 5,
      y: 5,
      w: 5,
      fn: 6,
      K: 7,
      hidden: 8,
      later: 9,
      internal: 10,
      main: 14,
    });
  });
});
