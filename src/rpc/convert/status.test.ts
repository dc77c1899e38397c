import { describe, expect, it } from 'vitest';
import { ExecutionState as ExecutionStateMessage } from '../../../generated/flotilla/v1/status.js';
import {
  executionStateFromMessage,
  executionStateToMessage,
  jobStatusFromMessage,
  jobStatusToMessage,
  serializedErrorFromMessage,
  serializedErrorToMessage,
} from './status.js';

describe('status conversion', () => {
  it('round-trips every job status and execution state', () => {
    for (const status of [
      'CREATED',
      'RUNNING',
      'FAILING',
      'FAILED',
      'CANCELLING',
      'CANCELED',
      'FINISHED',
      'RESTARTING',
      'SUSPENDED',
    ] as const) {
      expect(jobStatusFromMessage(jobStatusToMessage(status), 'status')).toBe(status);
    }
    for (const state of [
      'CREATED',
      'SCHEDULED',
      'DEPLOYING',
      'INITIALIZING',
      'RUNNING',
      'FINISHED',
      'CANCELING',
      'CANCELED',
      'FAILED',
    ] as const) {
      expect(executionStateFromMessage(executionStateToMessage(state), 'state')).toBe(state);
    }
  });

  it('refuses UNSPECIFIED and unknown numbers, naming the field', () => {
    expect(() => executionStateFromMessage(ExecutionStateMessage.UNSPECIFIED, 'state')).toThrow(
      /state must be one of CREATED, .* got 0/,
    );
    expect(() => executionStateFromMessage(77 as ExecutionStateMessage, 'state')).toThrow(/got 77/);
  });

  it('round-trips an error with its cause', () => {
    const error = {
      name: 'JobExecutionError',
      message: 'failed',
      stack: 'at x',
      cause: { name: 'TypeError', message: 'boom', stack: 'at y' },
    };
    expect(serializedErrorFromMessage(serializedErrorToMessage(error))).toEqual(error);
  });
});
