/**
 * The status of an application as the Dispatcher derives it from its jobs under the FLIP-40 rules
 * (Flink 2.x's ApplicationState, plus the control plane's DEPLOYING). It mirrors the proto enum
 * `flotilla.v1.ApplicationStatus`; `src/rpc/convert/jobEvents.ts` converts.
 */

/** The status of an application. */
export type ApplicationStatus = 'CREATED' | 'DEPLOYING' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'FINISHED';

const TERMINAL_APPLICATION_STATUSES: ReadonlySet<ApplicationStatus> = new Set(['FAILED', 'CANCELED', 'FINISHED']);

/** Whether an application in this status has ended for good. */
export function isTerminalApplicationStatus(status: ApplicationStatus): boolean {
  return TERMINAL_APPLICATION_STATUSES.has(status);
}
