import { describe, expect, it } from 'vitest';
import type { SerializedError } from '../../common/status.js';
import { silentLogger, testApplication, testState } from '../testing/testState.js';
import { ClientHeartbeats } from './ClientHeartbeats.js';

/** Heartbeats on `state`'s store (a new one when not given); `watches` says which clients this process watches. */
function setUp(state = testState(), watches?: (applicationId: string) => boolean) {
  const lost: Array<{ applicationId: string; failure: SerializedError }> = [];
  const heartbeats = new ClientHeartbeats({
    applications: state.applications,
    timeoutMs: 1000,
    publisher: {
      publish: async (event) => {
        if (event.type === 'clientLost') lost.push({ applicationId: event.applicationId, failure: event.failure });
      },
    },
    watches,
    logger: silentLogger,
  });
  return { ...state, state, heartbeats, lost };
}

describe('ClientHeartbeats', async () => {
  it('takes a session client that stays silent past the timeout as lost, once, and leaves beating and driver-mode ones alone', async () => {
    const { applications, heartbeats, lost } = setUp();
    const silent = testApplication({ mode: 'SESSION', status: 'RUNNING', detached: false });
    const beating = testApplication({ mode: 'PER_JOB', status: 'RUNNING', detached: false });
    const driver = testApplication({ status: 'RUNNING' });
    for (const application of [silent, beating, driver]) await applications.insert(application);
    const start = performance.now();
    heartbeats.watch(silent.id, start);
    heartbeats.watch(beating.id, start);
    await heartbeats.sweep(start + 900);
    // Recorded in the store now: silent for a few milliseconds, by the store's clock.
    await heartbeats.seen(beating.id);
    await heartbeats.sweep(start + 1500);
    expect(lost.map((entry) => entry.applicationId)).toEqual([silent.id]);
    expect(lost[0].failure).toMatchObject({
      name: 'ClientLostError',
      message: expect.stringContaining('sent no heartbeat for 2 s (--client-heartbeat-timeout 1 s)'),
    });
    await heartbeats.sweep(start + 1600);
    expect(lost).toHaveLength(1);
  });

  it('gives every client a whole timeout after a restart, and forgets a main() that reported its end or an application that ended', async () => {
    const { applications, heartbeats, lost } = setUp();
    const resumed = testApplication({ mode: 'SESSION', status: 'RUNNING', detached: false });
    const ended = testApplication({
      mode: 'SESSION',
      status: 'RUNNING',
      detached: false,
      clientMainEndTime: new Date(),
    });
    const finished = testApplication({ mode: 'PER_JOB', status: 'FINISHED', detached: false });
    await applications.insert(resumed);
    await applications.insert(ended);
    await applications.insert(finished);
    await applications.update(ended.id, { clientMainEndTime: new Date() });
    const start = performance.now();
    await heartbeats.sweep(start);
    await heartbeats.sweep(start + 999);
    expect(lost).toEqual([]);
    await heartbeats.sweep(start + 1001);
    expect(lost.map((entry) => entry.applicationId)).toEqual([resumed.id]);
  });

  it('counts a heartbeat recorded by another process on the same store, and leaves the decision to the process that watches the client', async () => {
    const watcher = setUp(undefined, () => true);
    // Another replica: it receives the client's heartbeats but does not watch the application.
    const other = setUp(watcher.state, () => false);
    const session = testApplication({ mode: 'SESSION', status: 'RUNNING', detached: false });
    await watcher.applications.insert(session);
    const start = performance.now();
    watcher.heartbeats.watch(session.id, start);
    await other.heartbeats.seen(session.id);
    // Long past the timeout by the watcher's own count, but heard of just now through the store.
    await watcher.heartbeats.sweep(start + 5000);
    await other.heartbeats.sweep(start + 5000);
    await other.heartbeats.sweep(start + 10_000);
    expect(watcher.lost).toEqual([]);
    expect(other.lost).toEqual([]);
    // Once the store has heard nothing for the timeout either, the watcher (only) takes the client as lost.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await watcher.heartbeats.sweep(start + 6000);
    await other.heartbeats.sweep(start + 11_000);
    expect(watcher.lost.map((entry) => entry.applicationId)).toEqual([session.id]);
    expect(other.lost).toEqual([]);
  });
});
