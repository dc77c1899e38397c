/**
 * The error for a value passed explicitly to a user function that cannot travel to task executors.
 * Bound values are shipped as JSON, so anything JSON would drop or change (functions, `undefined`,
 * dates, maps, class instances, NaN) is refused at job-build time instead of arriving altered.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** A value bound to a user function by name is not plain JSON data, or its name is not usable. */
export class BoundValueError extends InvalidArgumentError {
  override name = 'BoundValueError';

  /** The bound name whose value was refused. */
  readonly key: string;

  /** Creates the error for the bound name `key`. */
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}
