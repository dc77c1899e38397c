/**
 * Application statuses as the control plane's domain uses them (Flink 2.x's ApplicationState plus
 * DEPLOYING), which changes between them are allowed, and which are terminal. The proto enum
 * mirrors them; `service/` converts.
 */

/** The status of an application. */
export type ApplicationStatus = 'CREATED' | 'DEPLOYING' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'FINISHED';

/** Every status, in lifecycle order. */
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['CREATED', 'DEPLOYING', 'RUNNING', 'FAILING', 'FAILED', 'CANCELING', 'CANCELED', 'FINISHED'];

const TERMINAL: ReadonlySet<ApplicationStatus> = new Set(['FAILED', 'CANCELED', 'FINISHED']);

/**
 * The changes an application may make. A terminal status never changes again; a cancellation
 * already under way can still end in FINISHED or FAILED when the driver got there first.
 */
const NEXT: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  CREATED: ['DEPLOYING', 'RUNNING', 'CANCELING', 'FAILED', 'CANCELED'],
  DEPLOYING: ['RUNNING', 'CANCELING', 'FAILED', 'CANCELED'],
  RUNNING: ['FAILING', 'CANCELING', 'FAILED', 'CANCELED', 'FINISHED'],
  FAILING: ['FAILED', 'CANCELED'],
  CANCELING: ['CANCELED', 'FAILED', 'FINISHED'],
  FAILED: [],
  CANCELED: [],
  FINISHED: [],
};

/** Whether an application in this status has ended for good. */
export function isTerminalApplicationStatus(status: ApplicationStatus): boolean {
  return TERMINAL.has(status);
}

/** Whether an application may move from `from` to `to` (a move to the same status is not a change). */
export function canChangeApplicationStatus(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return NEXT[from].includes(to);
}
