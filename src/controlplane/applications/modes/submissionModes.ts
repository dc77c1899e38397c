/** The strategy of each submission mode, looked up once from an application's mode. */
import type { SubmissionMode } from '../../model/Application.js';
import { ApplicationMode } from './ApplicationMode.js';
import { DriverMode } from './DriverMode.js';
import { PerJobMode } from './PerJobMode.js';
import { SessionMode } from './SessionMode.js';
import type { SubmissionModeStrategy } from './SubmissionModeStrategy.js';

/** The strategies, keyed by mode; they hold no state, so one of each serves every application. */
export const SUBMISSION_MODES: Readonly<Record<SubmissionMode, SubmissionModeStrategy>> = {
  SESSION: new SessionMode(),
  PER_JOB: new PerJobMode(),
  APPLICATION: new ApplicationMode(),
  DRIVER: new DriverMode(),
};

/** The strategy of an application's (or submission's) mode. */
export function submissionModeOf(application: { mode: SubmissionMode }): SubmissionModeStrategy {
  return SUBMISSION_MODES[application.mode];
}
