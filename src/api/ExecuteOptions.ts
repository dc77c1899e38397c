/**
 * How `executeAsync()` submits a job: FLIP-40's living priority, which says whether the job keeps
 * its application alive. A NORMAL job does (the application ends once every NORMAL job and its
 * driver ended); a DAEMON job does not: it is cancelled when the application's last NORMAL job
 * ends, as a job that serves the others (a side stream feeding a cache, a metrics tap).
 */
import { InvalidArgumentError } from '../common/errors.js';
import { describeValue } from './argumentChecks.js';

/** The living priorities a user's job may have (DRIVER is the driver job's own). */
export type JobLivingPriority = 'NORMAL' | 'DAEMON';

/** Options of {@link ExecutionEnvironment.executeAsync}. */
export interface ExecuteOptions {
  /** `'DAEMON'` for a job that must not keep the application alive; `'NORMAL'` by default. */
  livingPriority?: JobLivingPriority;
}

/** The living priority `options` ask for, checked; NORMAL when not given. */
export function livingPriorityOf(method: string, options: ExecuteOptions | undefined): JobLivingPriority {
  if (options === undefined) return 'NORMAL';
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(`${method} expects options as an object, got ${describeValue(options)}`);
  const priority = options.livingPriority ?? 'NORMAL';
  if (priority !== 'NORMAL' && priority !== 'DAEMON')
    throw new InvalidArgumentError(
      `${method} expects "livingPriority" to be 'NORMAL' or 'DAEMON', got ${typeof priority === 'string' ? JSON.stringify(priority) : describeValue(priority)}`,
    );
  return priority;
}
