/**
 * The error a driver fails with when its entry point cannot be found: the module is not in the
 * bundle, or does not export the function named. The message says what was looked for and where,
 * so the user can fix `--class` / the bundle instead of reading a stack trace.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** A driver's entry module or export does not exist. */
export class DriverEntryError extends InvalidArgumentError {
  override name = 'DriverEntryError';
}
