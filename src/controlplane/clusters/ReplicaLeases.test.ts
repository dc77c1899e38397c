/**
 * Two replicas' leases over one real store (a SQLite file, whose lease table behaves as
 * PostgreSQL's in the store contract): a claimed cluster is fenced for its holder only; once the
 * holder stops renewing, the other replica takes the lease over with a greater token and adopts
 * the cluster, and the old holder's next write is refused by the store, counted, and reported lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FencedWriteError } from '../store/FollowerLeaseStore.js';
import { silentLogger, testState } from '../testing/testState.js';
import type { FollowerLeaseHandlers } from './FollowerLeases.js';
import { ReplicaLeases } from './ReplicaLeases.js';

const LEASE_MS = 300;
const closing: ReplicaLeases[] = [];
afterEach(async () => {
  for (const leases of closing.splice(0)) await leases.close();
});

/** A replica's leases with handlers that note what it adopts and loses. */
function replica(state: ReturnType<typeof testState>) {
  const adopted: string[] = [];
  const lost: string[] = [];
  let fenced = 0;
  const leases = new ReplicaLeases({
    store: state.store,
    logger: silentLogger,
    leaseMs: LEASE_MS,
    onFencedWrite: () => fenced++,
  });
  closing.push(leases);
  const handlers: FollowerLeaseHandlers = {
    adopt: (subjectIds) => {
      adopted.push(...subjectIds);
      return Promise.resolve();
    },
    lost: (subjectId) => lost.push(subjectId),
  };
  return { leases, handlers, adopted, lost, fenced: () => fenced };
}

describe('ReplicaLeases', () => {
  it('fences a claimed subject for its holder; a replica that stops renewing loses it to another, whose writes then pass while the old holder’s are refused', async () => {
    const state = testState();
    const first = replica(state);
    const second = replica(state);
    await first.leases.start(first.handlers);
    await second.leases.start(second.handlers);
    await state.store.transaction((tx) => first.leases.claim(tx, 'cluster-a'));
    expect(first.leases.holds('cluster-a')).toBe(true);
    await state.store.transaction((tx) => first.leases.fence(tx, 'cluster-a'));
    // The other replica never wrote as its follower: refused without asking the store.
    await expect(state.store.transaction((tx) => second.leases.fence(tx, 'cluster-a'))).rejects.toBeInstanceOf(
      FencedWriteError,
    );
    // Renewed every third of the lease: still the first replica's well past one lease.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
    expect(second.adopted).toEqual([]);
    expect(await state.store.leases.find('cluster-a')).toMatchObject({ holder: first.leases.holder, token: 1 });

    // The first replica stops renewing (as one that is paused); the second takes the lease over and adopts the cluster.
    (first.leases as unknown as { timer: NodeJS.Timeout }).timer.close();
    await expect.poll(() => second.adopted, { timeout: 5000, interval: 20 }).toEqual(['cluster-a']);
    expect(await state.store.leases.find('cluster-a')).toMatchObject({ holder: second.leases.holder, token: 2 });
    await state.store.transaction((tx) => second.leases.fence(tx, 'cluster-a'));

    // Still believing it follows, the first replica writes with its old token: the store refuses it.
    expect(first.leases.holds('cluster-a')).toBe(true);
    expect(first.leases.lostToAnother('cluster-a')).toBe(false);
    await expect(state.store.transaction((tx) => first.leases.fence(tx, 'cluster-a'))).rejects.toThrow(
      /fencing token 1 was refused: it is held by .* with token 2/,
    );
    expect(first.fenced()).toBe(1);
    expect(first.lost).toEqual(['cluster-a']);
    expect(first.leases.holds('cluster-a')).toBe(false);
    // What it did as the follower was cut off by a takeover (a launch deploying the cluster starts again), not failed.
    expect(first.leases.lostToAnother('cluster-a')).toBe(true);
    expect(second.leases.lostToAnother('cluster-a')).toBe(false);
    // A write still under way after that carries the old token to the store too, and is refused there.
    await expect(state.store.transaction((tx) => first.leases.fence(tx, 'cluster-a'))).rejects.toBeInstanceOf(
      FencedWriteError,
    );
    expect(first.fenced()).toBe(2);
  });

  it('lets every lease go at close, for another replica to take at once, and gives the lease of an ended subject to nobody', async () => {
    const state = testState();
    const first = replica(state);
    await first.leases.start(first.handlers);
    await state.store.transaction(async (tx) => {
      await first.leases.claim(tx, 'cluster-a');
      await first.leases.claim(tx, 'app-b');
    });
    first.leases.ended('app-b');
    await expect.poll(() => state.store.leases.find('app-b')).toBeUndefined();
    await first.leases.close();
    expect(await state.store.leases.expired(10)).toEqual(['cluster-a']);
    const second = replica(state);
    await second.leases.start(second.handlers);
    expect(second.adopted).toEqual(['cluster-a']);
    expect(await state.store.leases.find('cluster-a')).toMatchObject({ holder: second.leases.holder, token: 2 });
  });
});
