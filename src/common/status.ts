/**
 * Job and task states with Flink's names and meanings, as the domain uses them. They mirror the
 * proto enums (proto/flotilla/v1/status.proto); `src/rpc/convert/status.ts` converts between the two.
 */

/** The state of a job as a whole. */
export type JobStatus =
  'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'FINISHED' | 'RESTARTING' | 'SUSPENDED';

/** The state of one execution attempt of one subtask. */
export type ExecutionState =
  'CREATED' | 'SCHEDULED' | 'DEPLOYING' | 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'CANCELING' | 'CANCELED' | 'FAILED';

/**
 * The status of an application: Flink 2.x's ApplicationState plus DEPLOYING, the time the control
 * plane deploys a cluster or submits a driver.
 */
export type ApplicationStatus =
  'CREATED' | 'DEPLOYING' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'FINISHED';

/** Every application status, in lifecycle order. */
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = [
  'CREATED',
  'DEPLOYING',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'FINISHED',
];

/** Which jobs keep a cluster deployed for one application alive (FLIP-40). */
export type LivingPriority = 'DRIVER' | 'NORMAL' | 'DAEMON';

const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['FAILED', 'CANCELED', 'FINISHED']);
const TERMINAL_EXECUTION_STATES: ReadonlySet<ExecutionState> = new Set(['FINISHED', 'CANCELED', 'FAILED']);
const TERMINAL_APPLICATION_STATUSES: ReadonlySet<ApplicationStatus> = new Set(['FAILED', 'CANCELED', 'FINISHED']);

/** Whether a job in this status has ended for good (Flink's `isGloballyTerminalState`). */
export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.has(status);
}

/** Whether a task in this state has stopped. */
export function isTerminalExecutionState(state: ExecutionState): boolean {
  return TERMINAL_EXECUTION_STATES.has(state);
}

/** Whether an application in this status has ended for good. */
export function isTerminalApplicationStatus(status: ApplicationStatus): boolean {
  return TERMINAL_APPLICATION_STATUSES.has(status);
}

/** An error carried across processes: name, message and stack, rebuilt on the other side. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string;
  cause?: SerializedError;
}

/** Turns any thrown value into a {@link SerializedError}. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const serialized: SerializedError = { name: error.name, message: error.message, stack: error.stack ?? '' };
    if (error.cause !== undefined) serialized.cause = serializeError(error.cause);
    return serialized;
  }
  return { name: 'Error', message: String(error), stack: '' };
}

/** Rebuilds an Error from a {@link SerializedError}, keeping the original name and stack. */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(
    serialized.message,
    serialized.cause ? { cause: deserializeError(serialized.cause) } : undefined,
  );
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
