import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';
import { testApplication, testState } from '../testing/testState.js';
import { ApplicationEventLog } from './ApplicationEventLog.js';

const note = (message: string): ApplicationEventKind => ({
  type: 'clusterStatusChanged',
  clusterId: 'c',
  status: 'DEPLOYING',
  message,
  jobmanagerAddress: '',
});

async function collect(events: AsyncIterable<ApplicationEvent>): Promise<ApplicationEvent[]> {
  const seen: ApplicationEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** Ends an application the way the lifecycle does: terminal status and terminal event together. */
function end(state: ReturnType<typeof testState>, applicationId: string): void {
  state.db.transaction(() => {
    state.applications.update(applicationId, { status: 'FINISHED', endTime: new Date() });
    state.log.append(applicationId, { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' });
  })();
}

describe('ApplicationEventLog', () => {
  it('numbers each application’s events from 1 without gaps, independently of other applications', () => {
    const state = testState();
    const [a, b] = [testApplication(), testApplication()];
    state.applications.insert(a);
    state.applications.insert(b);
    expect(
      [state.log.append(a.id, note('a1')), state.log.append(b.id, note('b1')), state.log.append(a.id, note('a2'))].map(
        (event) => event.sequence,
      ),
    ).toEqual([1, 1, 2]);
    expect(state.applications.get(a.id).lastEventSequence).toBe(2);
    expect(state.events.read(a.id, 0, 10).map((event) => event.kind)).toEqual([note('a1'), note('a2')]);
    expect(state.events.read(a.id, 1, 10).map((event) => event.sequence)).toEqual([2]);
  });

  it('without follow, replays the stored events after the cursor and ends', async () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    for (let i = 1; i <= 600; i++) state.log.append(application.id, note(`n${i}`));
    const replayed = await collect(
      state.log.watch({ applicationId: application.id, afterSequence: 100, follow: false }),
    );
    expect(replayed.map((event) => event.sequence)).toEqual(Array.from({ length: 500 }, (_, i) => i + 101));
  });

  it('with follow, goes from replay to live events without gaps or duplicates, and ends after the terminal event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }),
        async (stored, cursor, bursts) => {
          const state = testState();
          const application = testApplication();
          state.applications.insert(application);
          for (let i = 0; i < stored; i++) state.log.append(application.id, note(`stored ${i}`));
          const after = Math.min(cursor, stored);
          const watching = collect(
            state.log.watch({ applicationId: application.id, afterSequence: after, follow: true }),
          );
          // Live events arrive in bursts between turns of the event loop, while the watch replays and waits.
          for (const burst of bursts) {
            for (let i = 0; i < burst; i++) state.log.append(application.id, note('live'));
            await new Promise((resolve) => setImmediate(resolve));
          }
          end(state, application.id);
          const seen = await watching;
          const newest = state.applications.get(application.id).lastEventSequence;
          expect(seen.map((event) => event.sequence)).toEqual(
            Array.from({ length: newest - after }, (_, i) => after + i + 1),
          );
          expect(seen.at(-1)?.kind).toMatchObject({ type: 'applicationStatusChanged', status: 'FINISHED' });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a followed watch of an application that has ended replays and ends', async () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    state.log.append(application.id, note('x'));
    end(state, application.id);
    expect(
      (await collect(state.log.watch({ applicationId: application.id, afterSequence: 0, follow: true }))).map(
        (event) => event.sequence,
      ),
    ).toEqual([1, 2]);
  });

  it('is NOT_FOUND for an unknown application and OUT_OF_RANGE past the newest event, before any event', () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    state.log.append(application.id, note('x'));
    expect(() => state.log.watch({ applicationId: 'app-unknown', afterSequence: 0, follow: false })).toThrow(
      /application "app-unknown" is not known/,
    );
    expect(() => state.log.watch({ applicationId: application.id, afterSequence: 2, follow: false })).toThrow(
      /after_sequence 2 is past the newest event of application .* \(1\)/,
    );
  });

  it('a watcher whose caller goes away stops waiting and holds nothing', async () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    const controller = new AbortController();
    const watching = collect(
      state.log.watch({ applicationId: application.id, afterSequence: 0, follow: true, signal: controller.signal }),
    );
    await expect.poll(() => state.log.waitingWatchers(application.id)).toBe(1);
    controller.abort();
    await expect(watching).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.log.waitingWatchers(application.id)).toBe(0);
  });

  it('with group commit, sends a batch only once what was committed is durable', async () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    let release: () => void = () => undefined;
    let asked = 0;
    const log = new ApplicationEventLog(state.events, state.applications, () => {
      asked++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    log.append(application.id, note('n1'));
    const seen: number[] = [];
    const watching = (async () => {
      for await (const event of log.watch({ applicationId: application.id, afterSequence: 0, follow: false }))
        seen.push(event.sequence);
    })();
    await expect.poll(() => asked).toBe(1);
    expect(seen).toEqual([]);
    release();
    await watching;
    expect(seen).toEqual([1]);
  });

  it('lets the followers of one application share each store read', async () => {
    const state = testState();
    const application = testApplication();
    state.applications.insert(application);
    let reads = 0;
    const counting = Object.create(state.events) as typeof state.events;
    counting.read = (...args) => {
      reads++;
      return state.events.read(...args);
    };
    const log = new ApplicationEventLog(counting, state.applications);
    log.append(application.id, note('n1'));
    const followers = Array.from({ length: 50 }, () =>
      collect(log.watch({ applicationId: application.id, afterSequence: 0, follow: true })),
    );
    // Each follower reads n1 and finds nothing after it; then they all wait.
    await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    const before = reads;
    for (let i = 2; i <= 5; i++) {
      log.append(application.id, note(`n${i}`));
      await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    }
    // Per appended event: one read of it and one read finding nothing after it, for all 50 together.
    expect(reads - before).toBeLessThanOrEqual(4 * 2);
    end(Object.assign({}, state, { log }), application.id);
    const seen = await Promise.all(followers);
    for (const events of seen) expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
