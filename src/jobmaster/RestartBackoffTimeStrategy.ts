/**
 * Whether and when a failed job restarts: Flink's restart strategies (none, fixed delay,
 * exponential delay) as one small interface the job master asks after each failure.
 */
import type { RestartStrategy } from '../jobgraph/jobGraph.js';

/** The decision after a failure. */
export interface RestartBackoffTimeStrategy {
  /** Records a failure; call before {@link canRestart}. */
  notifyFailure(): void;
  /** Whether another attempt is allowed. */
  canRestart(): boolean;
  /** How long to wait before the next attempt, in milliseconds. */
  getBackoffTimeMs(): number;
  /** A description for messages, such as "fixed delay (3 attempts, 1000 ms)". */
  describe(): string;
}

/** The default when a job sets none: fixed delay, 3 attempts, 1 s apart. */
export const DEFAULT_RESTART_STRATEGY: RestartStrategy = { kind: 'fixedDelay', maxAttempts: 3, delayMs: 1000 };

/** Creates the strategy for a job's settings. */
export function createRestartStrategy(
  settings: RestartStrategy = DEFAULT_RESTART_STRATEGY,
): RestartBackoffTimeStrategy {
  let failures = 0;
  switch (settings.kind) {
    case 'none':
      return {
        notifyFailure: () => void failures++,
        canRestart: () => false,
        getBackoffTimeMs: () => 0,
        describe: () => 'no restarts',
      };
    case 'fixedDelay':
      return {
        notifyFailure: () => void failures++,
        canRestart: () => failures <= settings.maxAttempts,
        getBackoffTimeMs: () => settings.delayMs,
        describe: () => `fixed delay (${settings.maxAttempts} attempts, ${settings.delayMs} ms apart)`,
      };
    case 'exponentialDelay': {
      const multiplier = settings.multiplier >= 1 ? settings.multiplier : 2;
      return {
        notifyFailure: () => void failures++,
        canRestart: () => settings.maxAttempts === 0 || failures <= settings.maxAttempts,
        getBackoffTimeMs: () =>
          Math.min(settings.maxDelayMs, settings.initialDelayMs * multiplier ** Math.max(0, failures - 1)),
        describe: () =>
          `exponential delay (${settings.maxAttempts === 0 ? 'unlimited' : settings.maxAttempts} attempts, ${settings.initialDelayMs}..${settings.maxDelayMs} ms)`,
      };
    }
  }
}
