import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ClusterLease } from './ClusterLease.js';

/** A lease on a clock the test moves, checked by hand. */
function leaseOnClock(leaseTimeMs: number) {
  const state = { now: 1_000_000, busy: false, expired: [] as string[] };
  const lease = new ClusterLease({
    leaseTimeMs,
    busy: () => state.busy,
    onExpired: (reason) => state.expired.push(reason),
    logger: pino({ level: 'silent' }),
    now: () => state.now,
  });
  const after = (ms: number) => {
    state.now += ms;
    lease.check();
  };
  return { lease, state, after };
}

describe('ClusterLease', () => {
  it('expires a lease time after the start when nobody renews it and no job runs', () => {
    const { state, after } = leaseOnClock(3000);
    after(2999);
    expect(state.expired).toEqual([]);
    after(1);
    expect(state.expired).toHaveLength(1);
    expect(state.expired[0]).toMatch(/no control plane renewed the cluster's lease for 3 s .* while no job ran/);
  });

  it('holds for a lease time after each renewal', () => {
    const { lease, state, after } = leaseOnClock(3000);
    for (let renewal = 0; renewal < 5; renewal++) {
      after(2000);
      lease.renew('control plane');
    }
    after(2999);
    expect(state.expired).toEqual([]);
    after(1);
    expect(state.expired).toHaveLength(1);
  });

  it('is held by a running job, and counts the lease time from the first check that found no job running', () => {
    const { state, after } = leaseOnClock(3000);
    state.busy = true;
    after(60_000);
    expect(state.expired).toEqual([]);
    // The last job ended some time before this check: the lease time counts from the check, never from earlier.
    state.busy = false;
    after(1000);
    after(2999);
    expect(state.expired).toEqual([]);
    after(1);
    expect(state.expired).toHaveLength(1);
  });

  it('expires once, and no more after it was closed', () => {
    const { lease, state, after } = leaseOnClock(1000);
    after(5000);
    after(5000);
    expect(state.expired).toHaveLength(1);
    lease.close();
    after(5000);
    expect(state.expired).toHaveLength(1);
  });

  it('refuses a lease time that is not a positive integer', () => {
    expect(() => leaseOnClock(0)).toThrow(RangeError);
    expect(() => leaseOnClock(1.5)).toThrow(RangeError);
  });
});
