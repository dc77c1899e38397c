/**
 * A call to a task executor could not reach it at all (its process is gone, its port refuses
 * connections): the job manager's gRPC adapter raises it for an UNAVAILABLE answer, and the
 * deployer takes it, like Flink's `heartbeat.rpc-failure-threshold`, as the task executor being
 * lost now rather than after the heartbeat timeout.
 */
import { UnavailableError } from '../common/errors.js';

/** Raised when a task executor's address does not answer. */
export class TaskExecutorUnreachableError extends UnavailableError {
  override name = 'TaskExecutorUnreachableError';
}
