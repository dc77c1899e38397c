/**
 * The text of the fixture bundle's `main.mjs`. Each exported helper passes one kind of function to
 * the `capture` callback a test gives it, the way `main()` passes functions to `.map()`; the
 * `// MARK:name` comments let tests find the lines without hard-coding numbers.
 */

/** The source of `main.mjs`. */
export const FIXTURE_MAIN_SOURCE = `import { triple } from 'tiny-math';
import * as helpers from './helpers.mjs';
import { offset as localOffset } from '#local';
import { basename as base } from 'node:path';
import data from './data.json' with { type: 'json' };

export const FACTOR = 7;
const SECRET = 42; // MARK:secretDeclared
function internalHelper(x) {
  return x + 1;
}
export { internalHelper as helper };
globalThis.fixtureEvaluations = (globalThis.fixtureEvaluations ?? 0) + 1;

function factorial(n) { // MARK:factorial
  return n <= 1 ? 1 : n * factorial(n - 1);
}

export function usesImports(capture) {
  return capture((x) => triple(x) + helpers.offset + localOffset + data.answer); // MARK:usesImports
}

export function usesExports(capture) {
  return capture(function (x) { // MARK:usesExports
    return internalHelper(x) * FACTOR;
  });
}

export function usesLocal(capture) {
  const threshold = 3; // MARK:thresholdDeclared
  return capture((x) => { // MARK:usesLocal
    return x > threshold; // MARK:thresholdUsed
  });
}

export function usesModuleConst(capture) {
  return capture((x) => x + SECRET); // MARK:usesModuleConst
}

export function usesParameterAndThis(capture, limit) {
  return capture((x) => x < limit && this !== undefined); // MARK:usesParameterAndThis
}

export function usesCatchAndArguments(capture) {
  try {
    throw new Error('boom');
  } catch (problem) {
    return capture(() => problem.message + arguments.length); // MARK:usesCatchAndArguments
  }
}

export function usesImportMeta(capture) {
  return capture(() => import.meta.url); // MARK:usesImportMeta
}

export function usesBound(capture, bound) {
  return capture((x) => x * factor + names.length, bound); // MARK:usesBound
}

export function shadowsLocalWithBound(capture) {
  const threshold = 3;
  return capture((x) => x > threshold, { threshold: 10 }); // MARK:shadowsLocalWithBound
}

export function usesGlobals(capture) {
  return capture((xs) => { // MARK:usesGlobals
    const biggest = Math.max(...xs.map(Number));
    console.debug(typeof window);
    return JSON.stringify({ biggest, bytes: Buffer.from('ab').length });
  });
}

export function analysedRight(capture) {
  const hidden = 1;
  return capture(({ a, b: [c = 1] = [] }, ...rest) => { // MARK:analysedRight
    const inner = function named(n) {
      return n > 0 ? named(n - 1) : { a, c, rest };
    };
    outer: for (const item of rest) {
      if (item) break outer;
    }
    try {
      return inner(a).a + inner(0).c + hoisted();
    } catch (hidden) {
      return hidden.message;
    }
    function hoisted() {
      return rest.length;
    }
  });
}

export function usesMethod(capture) {
  return capture({ scale(x) { return triple(x) * FACTOR; } }.scale); // MARK:usesMethod
}

export function usesAsync(capture) {
  return capture(async (name) => base('/data/' + name)); // MARK:usesAsync
}

export function usesRecursion(capture) {
  return capture(factorial); // MARK:usesRecursion
}

export function throwsError(capture) {
  return capture((x) => { // MARK:throwsError
    throw new Error('bad record ' + x); // MARK:thrownAt
  });
}

export function sameTextTwice(capture) {
  const first = capture((x) => x + 1); // MARK:sameTextFirst
  const second = capture((x) => x + 1); // MARK:sameTextSecond
  return [first, second];
}
`;
