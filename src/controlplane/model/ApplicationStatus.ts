/**
 * Which changes between application statuses (src/common/status.ts) the control plane allows.
 */

import type { ApplicationStatus } from '../../common/status.js';

export { APPLICATION_STATUSES, isTerminalApplicationStatus, type ApplicationStatus } from '../../common/status.js';

/**
 * The changes an application may make. A terminal status never changes again; a cancellation
 * already under way can still end in FINISHED or FAILED when the driver got there first.
 */
const NEXT: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  CREATED: ['DEPLOYING', 'RUNNING', 'CANCELING', 'FAILED', 'CANCELED'],
  // FINISHED: a client-side main() that returned before its application was RUNNING.
  DEPLOYING: ['RUNNING', 'CANCELING', 'FAILED', 'CANCELED', 'FINISHED'],
  RUNNING: ['FAILING', 'CANCELING', 'FAILED', 'CANCELED', 'FINISHED'],
  FAILING: ['FAILED', 'CANCELED'],
  CANCELING: ['CANCELED', 'FAILED', 'FINISHED'],
  FAILED: [],
  CANCELED: [],
  FINISHED: [],
};

/** Whether an application may move from `from` to `to` (a move to the same status is not a change). */
export function canChangeApplicationStatus(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return NEXT[from].includes(to);
}
