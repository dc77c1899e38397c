/**
 * The seam between the operators and the code that rebuilds user functions. Operators only need
 * "give me the function this spec describes"; how that is done (imports from the bundle, bound
 * values, caching) belongs to the loader in `src/api/functions`, injected by the task runner, so
 * operators can be tested with a plain evaluating loader.
 */
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';

/** A rebuilt user function: map, flatMap, filter, reduce or key selector. */
export type UserFunction = (...args: any[]) => any;

/**
 * Rebuilds the function a {@link UserFunctionSpec} describes. It rejects (with an error naming
 * the function's module and line) when the function cannot be rebuilt on this task executor.
 */
export type FunctionLoader = (spec: UserFunctionSpec) => Promise<UserFunction>;
