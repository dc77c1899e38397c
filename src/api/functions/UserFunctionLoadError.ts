/**
 * The error a task executor raises when a shipped function cannot be rebuilt: the module is missing
 * from the bundle, one of its imports fails, or the source does not compile. The message names the
 * module and line of the function so the user can find it; the original error stays in `cause`.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** A shipped user function could not be rebuilt on a task executor. */
export class UserFunctionLoadError extends InvalidArgumentError {
  override name = 'UserFunctionLoadError';
}
