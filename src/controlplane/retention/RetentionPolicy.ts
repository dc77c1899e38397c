/**
 * How long the control plane keeps the whole history of finished applications. An application
 * that ended more than `maxAgeMs` ago, or that is not among the `maxCount` most recently ended
 * ones, is compacted: its record, its terminal status event and the tail of its driver log stay,
 * the rest goes (see ApplicationCompactor). Zero switches a limit off.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** The retention settings. */
export interface RetentionPolicy {
  /** Compact applications that ended longer ago than this, in milliseconds; 0 keeps them regardless of age. */
  maxAgeMs: number;
  /** Keep this many most recently ended applications whole and compact older ones; 0 keeps them regardless of count. */
  maxCount: number;
  /** How many bytes of the end of a compacted application's driver log to keep (whole rows, never more). */
  logTailBytes: number;
  /** How often to look for applications to compact, in milliseconds. */
  intervalMs: number;
}

/** The defaults: a week, a thousand applications, the last 8 KiB of each driver log, checked every minute. */
export const RETENTION_DEFAULTS: RetentionPolicy = {
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxCount: 1000,
  logTailBytes: 8 * 1024,
  intervalMs: 60 * 1000,
};

/** Fills in the defaults and checks the values; INVALID_ARGUMENT naming a value that cannot be used. */
export function compileRetentionPolicy(options: Partial<RetentionPolicy> = {}): RetentionPolicy {
  const policy = { ...RETENTION_DEFAULTS, ...options };
  for (const key of ['maxAgeMs', 'maxCount', 'logTailBytes'] as const) {
    if (!Number.isSafeInteger(policy[key]) || policy[key] < 0)
      throw new InvalidArgumentError(`retention ${key} must be a whole number of at least 0, got ${policy[key]}`);
  }
  if (!Number.isSafeInteger(policy.intervalMs) || policy.intervalMs < 1) {
    throw new InvalidArgumentError(
      `retention intervalMs must be a whole number of at least 1, got ${policy.intervalMs}`,
    );
  }
  return policy;
}
