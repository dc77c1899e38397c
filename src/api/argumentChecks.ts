/**
 * Checks of the arguments users pass to the stream API. A pipeline is built in `main()` and run
 * later on other machines, so a wrong argument must be refused at the call that made it, with
 * the method's name in the message, instead of surfacing as a failed task minutes later.
 */
import { serialize } from 'node:v8';
import { InvalidArgumentError } from '../common/errors.js';
import type { FunctionOptions } from './FunctionOptions.js';

/** Describes a value for an error message: `a string`, `null`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Refuses anything but a function. */
export function requireFunction(
  method: string,
  fn: unknown,
  what = 'a function',
): asserts fn is (...args: never[]) => unknown {
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`${method} expects ${what}, got ${describeValue(fn)}`);
  }
}

/** Refuses options of a function-taking method that are not `{ with?: {...} }`. */
export function requireFunctionOptions(
  method: string,
  options: unknown,
): asserts options is FunctionOptions | undefined {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(
      `${method} expects its options as an object such as { with: { name: value } }, got ${describeValue(options)}`,
    );
  }
  const bound = (options as FunctionOptions).with;
  if (bound !== undefined && !isPlainObject(bound)) {
    throw new InvalidArgumentError(
      `${method} expects "with" to be an object of named values, got ${describeValue(bound)}`,
    );
  }
}

/** Refuses a parallelism that is not an integer of at least 1. */
export function requireParallelism(method: string, parallelism: unknown): asserts parallelism is number {
  if (typeof parallelism !== 'number' || !Number.isSafeInteger(parallelism) || parallelism < 1) {
    throw new InvalidArgumentError(
      `${method} expects a parallelism that is an integer of at least 1, got ${String(parallelism)}`,
    );
  }
}

/** Refuses anything but a non-empty string. */
export function requireNonEmptyString(method: string, value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(
      `${method} expects ${what} as a non-empty string, got ${typeof value === 'string' ? 'an empty string' : describeValue(value)}`,
    );
  }
}

/** Refuses a value that is not a safe integer. */
export function requireInteger(method: string, value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(
      `${method} expects ${what} as an integer, got ${typeof value === 'number' ? String(value) : describeValue(value)}`,
    );
  }
}

/** Refuses records that cannot travel to a task executor (functions, symbols, class instances with native state). */
export function requireSerializableRecords(method: string, records: readonly unknown[]): void {
  records.forEach((record, index) => {
    try {
      serialize(record);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidArgumentError(`${method}: element ${index} cannot be sent to a task executor (${reason})`);
    }
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
