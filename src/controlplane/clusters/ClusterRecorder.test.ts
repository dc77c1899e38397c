/**
 * ClusterRecorder.asFollower, what a deployment starts its members under: on a store shared by
 * replicas the work runs only while this replica holds the cluster's lease (in a unit of work that
 * checks its fencing token), and not at all once another replica took the lease over; on a store of
 * its own (SQLite, one process) it simply runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FencedWriteError } from '../store/FollowerLeaseStore.js';
import { silentLogger, testState } from '../testing/testState.js';
import { ClusterRecorder } from './ClusterRecorder.js';
import type { ClusterObserver } from './ClusterObserver.js';
import { ReplicaLeases } from './ReplicaLeases.js';
import { SoleFollower } from './SoleFollower.js';

const LEASE_MS = 300;
const closing: ReplicaLeases[] = [];
afterEach(async () => {
  for (const leases of closing.splice(0)) await leases.close();
});

const observer: ClusterObserver = {
  onJobEvent: () => Promise.resolve(),
  onClusterStatus: () => Promise.resolve(),
  onClusterGone: () => Promise.resolve(),
};

function replica(state: ReturnType<typeof testState>) {
  const adopted: string[] = [];
  const leases = new ReplicaLeases({ store: state.store, logger: silentLogger, leaseMs: LEASE_MS });
  closing.push(leases);
  const handlers = {
    adopt: (subjectIds: readonly string[]) => {
      adopted.push(...subjectIds);
      return Promise.resolve();
    },
    lost: () => undefined,
  };
  return { leases, handlers, adopted, recorder: new ClusterRecorder(state.store, observer, leases) };
}

describe('ClusterRecorder.asFollower', () => {
  it('runs the work for the lease holder only: a replica whose lease was taken over runs nothing', async () => {
    const state = testState();
    const first = replica(state);
    const second = replica(state);
    await first.leases.start(first.handlers);
    await second.leases.start(second.handlers);
    await state.store.transaction((tx) => first.leases.claim(tx, 'cluster-a'));
    const started: string[] = [];
    expect(await first.recorder.asFollower('cluster-a', () => started.push('first') && 'members')).toBe('members');

    // The first replica stops renewing; the second takes the lease over.
    (first.leases as unknown as { timer: NodeJS.Timeout }).timer.close();
    await expect.poll(() => second.adopted, { timeout: 5000, interval: 20 }).toEqual(['cluster-a']);
    await expect(first.recorder.asFollower('cluster-a', () => started.push('first, stale'))).rejects.toBeInstanceOf(
      FencedWriteError,
    );
    await second.recorder.asFollower('cluster-a', () => started.push('second'));
    expect(started).toEqual(['first', 'second']);
  });

  it('runs the work as is for the only process on its store', async () => {
    const state = testState();
    const recorder = new ClusterRecorder(state.store, observer, new SoleFollower());
    expect(await recorder.asFollower('cluster-a', () => 42)).toBe(42);
  });
});
