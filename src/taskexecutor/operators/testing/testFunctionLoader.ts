/**
 * Test support: a {@link FunctionLoader} that evaluates a spec's source as it is, and a helper
 * that turns a real function into a spec. Real jobs use the bundle-aware loader of
 * `src/api/functions`; these exist so operator tests need no bundle.
 */
import type { UserFunctionSpec } from '../../../jobgraph/jobGraph.js';
import type { FunctionLoader, UserFunction } from '../FunctionLoader.js';

/** Evaluates `spec.source` as an expression; bound values are ignored. For tests only. */
export const testFunctionLoader: FunctionLoader = async (spec) =>
  new Function(`return (${spec.source})`)() as UserFunction;

/** A spec for `fn` as `main()` would ship it (source text only). For tests only. */
export function functionSpec(fn: UserFunction): UserFunctionSpec {
  return { source: fn.toString(), module: 'test.ts', line: 1, boundValuesJson: '{}' };
}
