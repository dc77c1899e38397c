/**
 * User functions are synchronous, as in Flink. An `async` function would hand the operator a
 * Promise, which a filter takes as `true`, a key selector maps to `{}` and a map ships as an empty
 * object: wrong results without an error. This check turns that mistake into a clear failure.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/**
 * Returns `value` unless it is a Promise (or any thenable).
 *
 * @param what Names the function for the message, such as `the map function of "Map"`.
 * @throws InvalidArgumentError when `value` is thenable.
 */
export function checkSynchronous<T>(value: T, what: string): T {
  if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') {
    throw new InvalidArgumentError(`${what} returned a Promise; user functions must be synchronous (not async)`);
  }
  return value;
}
