import { describe, expect, it } from 'vitest';
import { refusalOf } from './apiRefusal.js';

describe('the API server’s refusal of a request', () => {
  it('is the reason and message of the Status in the error’s body', () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message:
        'pods "flotilla-cluster-1-taskexecutor-0" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1',
      reason: 'Forbidden',
      code: 403,
    };
    const expected = `Forbidden: ${status.message}`;
    expect(refusalOf({ code: 403, body: JSON.stringify(status) })).toBe(expected);
    expect(refusalOf({ code: 403, body: status })).toBe(expected);
  });

  it('is nothing for an error without a Status', () => {
    expect(refusalOf(new Error('connect ECONNREFUSED 127.0.0.1:6443'))).toBeUndefined();
    expect(refusalOf({ code: 502, body: '<html>bad gateway</html>' })).toBeUndefined();
  });
});
