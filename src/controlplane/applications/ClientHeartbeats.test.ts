import { describe, expect, it } from 'vitest';
import type { SerializedError } from '../../common/status.js';
import { silentLogger, testApplication, testState } from '../testing/testState.js';
import { ClientHeartbeats } from './ClientHeartbeats.js';

function setUp() {
  const state = testState();
  const lost: Array<{ applicationId: string; failure: SerializedError }> = [];
  const heartbeats = new ClientHeartbeats({
    applications: state.applications,
    timeoutMs: 1000,
    publisher: {
      publish: async (event) => {
        if (event.type === 'clientLost') lost.push({ applicationId: event.applicationId, failure: event.failure });
      },
    },
    logger: silentLogger,
  });
  return { ...state, heartbeats, lost };
}

describe('ClientHeartbeats', async () => {
  it('takes a session client that stays silent past the timeout as lost, once, and leaves beating and driver-mode ones alone', async () => {
    const { applications, heartbeats, lost } = setUp();
    const silent = testApplication({ mode: 'SESSION', status: 'RUNNING', detached: false });
    const beating = testApplication({ mode: 'PER_JOB', status: 'RUNNING', detached: false });
    const driver = testApplication({ status: 'RUNNING' });
    for (const application of [silent, beating, driver]) await applications.insert(application);
    const start = Date.now();
    heartbeats.seen(silent.id, start);
    heartbeats.seen(beating.id, start);
    await heartbeats.sweep(start + 900);
    heartbeats.seen(beating.id, start + 900);
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
    const start = Date.now();
    await heartbeats.sweep(start);
    await heartbeats.sweep(start + 999);
    expect(lost).toEqual([]);
    await heartbeats.sweep(start + 1001);
    expect(lost.map((entry) => entry.applicationId)).toEqual([resumed.id]);
  });
});
