/**
 * What kind of failure ended an application or one of its driver attempts. Retries look at it: only
 * an INFRASTRUCTURE failure (a process or cluster lost under the application) starts another driver
 * attempt, since running `main()` again cannot help code that threw or hit a limit. The category is
 * read off the failure's name, so that every failure already stored is classified the same way.
 */
import type { SerializedError } from '../../common/status.js';
import type { ApplicationStatus } from './ApplicationStatus.js';

/** The kinds of failure, as in `flotilla.v1.FailureCategory`. */
export type FailureCategory = 'APPLICATION' | 'INFRASTRUCTURE' | 'RESOURCE' | 'CANCELED';

/** Failures of processes, clusters or clients lost under the application. */
const INFRASTRUCTURE_FAILURES = new Set([
  'DriverLostError',
  'ClusterLostError',
  'TaskExecutorLostError',
  'ClientLostError',
  'DeploymentError',
  'DriverAttemptsExhaustedError',
]);

/** Failures of limits Flotilla enforced. */
const RESOURCE_FAILURES = new Set(['DriverMemoryLimitError', 'CollectLimitExceededError', 'ResourceExhaustedError']);

/** The category of `failure` (the outermost name decides); undefined without one. */
export function failureCategoryOf(failure: SerializedError | undefined): FailureCategory | undefined {
  if (!failure) return undefined;
  if (INFRASTRUCTURE_FAILURES.has(failure.name)) return 'INFRASTRUCTURE';
  if (RESOURCE_FAILURES.has(failure.name)) return 'RESOURCE';
  if (failure.name === 'TaskCanceledError' || failure.name === 'AbortError') return 'CANCELED';
  return 'APPLICATION';
}

/** The category of an application's end: CANCELED when it was cancelled, its failure's when it FAILED. */
export function applicationFailureCategory(
  status: ApplicationStatus,
  failure: SerializedError | undefined,
): FailureCategory | undefined {
  if (status === 'CANCELED') return 'CANCELED';
  if (status !== 'FAILED') return undefined;
  return failureCategoryOf(failure) ?? 'APPLICATION';
}
