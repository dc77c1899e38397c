/**
 * One start of a driver-mode application's driver. An application keeps the list of its attempts,
 * so that `flotilla status` and GetApplication show each one's cause when attempts were used up.
 */
import type { SerializedError } from '../../common/status.js';
import type { FailureCategory } from './FailureCategory.js';

/** A driver attempt as the control plane records it. */
export interface DriverAttempt {
  /** From 1. */
  number: number;
  /** Empty until its driver job was submitted. */
  driverJobId: string;
  clusterId: string;
  startTime: Date;
  endTime?: Date;
  /** Why it ended, when it failed. */
  cause?: SerializedError;
  category?: FailureCategory;
}

/** The most driver attempts an application may ask for. */
export const MAX_DRIVER_ATTEMPTS = 10;

/** The number of the driver attempt under way: 1 before any retry (attempts are listed from the first retry on). */
export function currentAttempt(application: { attempts: readonly DriverAttempt[] }): number {
  return Math.max(1, application.attempts.length);
}
