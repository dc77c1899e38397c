/**
 * What an application fails with when its driver job failed (FLIP-40 rule 3). A driver that threw,
 * or was stopped by one of its limits, fails the application with exactly that failure (the
 * user's error name, message and stack); a driver that was lost with its task executor fails it
 * with a `DriverLostError` that says so and keeps the task executor's loss as its cause.
 */
import type { SerializedError } from '../common/status.js';

/** The name of the job master's failure for tasks of a lost task executor. */
const TASK_EXECUTOR_LOST = 'TaskExecutorLostError';

/** The name of an application's failure when its driver was lost with its task executor. */
export const DRIVER_LOST_ERROR = 'DriverLostError';

/** The failure of an application whose driver job failed with `driverFailure`. */
export function applicationFailureOf(driverFailure: SerializedError | undefined): SerializedError {
  if (driverFailure === undefined)
    return { name: 'Error', message: 'the driver job failed without a reason', stack: '' };
  if (driverFailure.name !== TASK_EXECUTOR_LOST) return driverFailure;
  return {
    name: DRIVER_LOST_ERROR,
    message: `the driver was lost: ${driverFailure.message}`,
    stack: '',
    cause: driverFailure,
  };
}
