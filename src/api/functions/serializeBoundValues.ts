/**
 * Turns the values a user passes explicitly to a function into the JSON the job graph carries.
 * JSON silently drops or changes many JavaScript values (functions and `undefined` vanish, dates
 * become strings, maps become `{}`, NaN becomes null), and a function would then see something
 * else on a worker than in `main()`; so every value is checked first and anything that would not
 * come back the same is refused, naming the key and the path inside it.
 */
import { parse } from 'acorn';
import { BoundValueError } from './BoundValueError.js';

/**
 * Returns `bound` as a JSON object text (`"{}"` when absent); `describe` names the function in
 * messages.
 *
 * @throws BoundValueError when a key is not a usable variable name or a value is not plain JSON
 *   data (null, booleans, finite numbers, strings, dense arrays and plain objects of those).
 */
export function serializeBoundValues(bound: Record<string, unknown> | undefined, describe: string): string {
  if (bound === undefined) return '{}';
  for (const [key, value] of Object.entries(bound)) {
    if (!isBindableName(key)) {
      throw new BoundValueError(
        key,
        `the value passed to ${describe} as "${key}" cannot be bound: "${key}" is not a valid variable name`,
      );
    }
    const problem = jsonProblem(value, key, new Set());
    if (problem !== undefined) {
      throw new BoundValueError(
        key,
        `the value passed to ${describe} as "${key}" cannot be shipped to task executors: ${problem}; ` +
          'values passed explicitly travel as JSON and must be null, booleans, finite numbers, strings, arrays or plain objects',
      );
    }
  }
  return JSON.stringify(bound);
}

/** Whether `name` can be a parameter name of a strict-mode function. */
export function isBindableName(name: string): boolean {
  try {
    const program = parse(`let ${name};`, { ecmaVersion: 'latest', sourceType: 'module' });
    const [statement] = program.body;
    return (
      program.body.length === 1 &&
      statement?.type === 'VariableDeclaration' &&
      statement.declarations.length === 1 &&
      statement.declarations[0]?.id.type === 'Identifier' &&
      statement.declarations[0].id.name === name
    );
  } catch {
    return false;
  }
}

function jsonProblem(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (value === undefined) return `${path} is undefined`;
  if (typeof value !== 'object')
    return `${path} is ${typeof value === 'function' ? 'a function' : `a ${typeof value}`}`;
  if (ancestors.has(value)) return `${path} refers back to itself`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        if (!(index in value)) return `${path}[${index}] is a hole in a sparse array`;
        const problem = jsonProblem(value[index], `${path}[${index}]`, ancestors);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `${path} is ${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
    }
    if (Object.getOwnPropertySymbols(value).length > 0) return `${path} has symbol keys`;
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(item, `${path}.${key}`, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}
