import { describe, expect, it } from 'vitest';
import { APPLICATION_STATUSES, canChangeApplicationStatus, isTerminalApplicationStatus } from './ApplicationStatus.js';

describe('application statuses', () => {
  it('FAILED, CANCELED and FINISHED are terminal and never change again', () => {
    expect(APPLICATION_STATUSES.filter(isTerminalApplicationStatus)).toEqual(['FAILED', 'CANCELED', 'FINISHED']);
    for (const from of ['FAILED', 'CANCELED', 'FINISHED'] as const) {
      for (const to of APPLICATION_STATUSES) expect(canChangeApplicationStatus(from, to)).toBe(false);
    }
  });

  it('follows the driver-mode lifecycle', () => {
    expect(canChangeApplicationStatus('DEPLOYING', 'RUNNING')).toBe(true);
    expect(canChangeApplicationStatus('DEPLOYING', 'CANCELING')).toBe(true);
    expect(canChangeApplicationStatus('DEPLOYING', 'FAILING')).toBe(false);
    expect(canChangeApplicationStatus('RUNNING', 'FINISHED')).toBe(true);
    expect(canChangeApplicationStatus('RUNNING', 'DEPLOYING')).toBe(false);
    // A cancellation can be overtaken by the driver's own end, but never turns back into running.
    expect(canChangeApplicationStatus('CANCELING', 'FINISHED')).toBe(true);
    expect(canChangeApplicationStatus('CANCELING', 'RUNNING')).toBe(false);
    for (const status of APPLICATION_STATUSES) expect(canChangeApplicationStatus(status, status)).toBe(false);
  });
});
