/** The records a job's collect() sinks sent grew past the Dispatcher's limit. */
import { ResourceExhaustedError } from '../common/errors.js';

/** Fails the job (without restarts: a restart would produce the same records again). */
export class CollectLimitExceededError extends ResourceExhaustedError {
  override name = 'CollectLimitExceededError';
}
