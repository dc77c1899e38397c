/**
 * The error for a value that cannot be shipped to task executors at all, whatever it captures: a
 * native or bound function, a class, an accessor, a function whose source or module cannot be
 * read. It is raised while the job is built, so the user sees it at the `.map(...)` that passed it.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** A function passed to the stream API cannot be shipped to task executors. */
export class UnsupportedFunctionError extends InvalidArgumentError {
  override name = 'UnsupportedFunctionError';
}
