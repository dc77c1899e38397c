/** A task executor that a slot or task names is no longer registered with the resource manager. */
import { FailedPreconditionError } from '../common/errors.js';

/** Raised when a job master reaches for a task executor that has left the cluster (or was lost). */
export class TaskExecutorNotRegisteredError extends FailedPreconditionError {
  override name = 'TaskExecutorNotRegisteredError';
}
