import { describe, expect, it } from 'vitest';
import { createRestartStrategy } from './RestartBackoffTimeStrategy.js';

function decisions(strategy: ReturnType<typeof createRestartStrategy>, failures: number) {
  const result: Array<number | 'stop'> = [];
  for (let i = 0; i < failures; i++) {
    strategy.notifyFailure();
    result.push(strategy.canRestart() ? strategy.getBackoffTimeMs() : 'stop');
  }
  return result;
}

describe('restart strategies', () => {
  it('fixed delay allows maxAttempts restarts, then stops; it is the default', () => {
    expect(decisions(createRestartStrategy(), 5)).toEqual([1000, 1000, 1000, 'stop', 'stop']);
    expect(decisions(createRestartStrategy({ kind: 'fixedDelay', maxAttempts: 1, delayMs: 5 }), 2)).toEqual([
      5,
      'stop',
    ]);
  });

  it('none never restarts', () => {
    expect(decisions(createRestartStrategy({ kind: 'none' }), 1)).toEqual(['stop']);
  });

  it('exponential delay grows by its multiplier up to the maximum', () => {
    const strategy = createRestartStrategy({
      kind: 'exponentialDelay',
      initialDelayMs: 100,
      maxDelayMs: 500,
      multiplier: 2,
      maxAttempts: 5,
    });
    expect(decisions(strategy, 6)).toEqual([100, 200, 400, 500, 500, 'stop']);
  });
});
