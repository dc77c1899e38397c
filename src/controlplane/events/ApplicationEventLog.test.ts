import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';
import { testApplication, testState, type TestState } from '../testing/testState.js';
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

/** Appends an event in a unit of work of its own, as the lifecycle does. */
function append(state: TestState, applicationId: string, kind: ApplicationEventKind, log = state.log) {
  return state.store.transaction((tx) => log.append(tx, applicationId, kind));
}

/** Ends an application the way the lifecycle does: terminal status and terminal event together. */
function end(state: TestState, applicationId: string): Promise<void> {
  return state.store.transaction(async (tx) => {
    await tx.applications.update(applicationId, { status: 'FINISHED', endTime: new Date() });
    await state.log.append(tx, applicationId, {
      type: 'applicationStatusChanged',
      status: 'FINISHED',
      message: 'done',
    });
  });
}

describe('ApplicationEventLog', () => {
  it('numbers each application’s events from 1 without gaps, independently of other applications', async () => {
    const state = testState();
    const [a, b] = [testApplication(), testApplication()];
    await state.applications.insert(a);
    await state.applications.insert(b);
    expect(
      [
        await append(state, a.id, note('a1')),
        await append(state, b.id, note('b1')),
        await append(state, a.id, note('a2')),
      ].map((event) => event.sequence),
    ).toEqual([1, 1, 2]);
    expect((await state.applications.get(a.id)).lastEventSequence).toBe(2);
    expect((await state.events.read(a.id, 0, 10)).map((event) => event.kind)).toEqual([note('a1'), note('a2')]);
    expect((await state.events.read(a.id, 1, 10)).map((event) => event.sequence)).toEqual([2]);
  });

  it('without follow, replays the stored events after the cursor and ends', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    for (let i = 1; i <= 600; i++) await append(state, application.id, note(`n${i}`));
    const replayed = await collect(
      await state.log.watch({ applicationId: application.id, afterSequence: 100, follow: false }),
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
          await state.applications.insert(application);
          for (let i = 0; i < stored; i++) await append(state, application.id, note(`stored ${i}`));
          const after = Math.min(cursor, stored);
          const watching = collect(
            await state.log.watch({ applicationId: application.id, afterSequence: after, follow: true }),
          );
          // Live events arrive in bursts between turns of the event loop, while the watch replays and waits.
          for (const burst of bursts) {
            for (let i = 0; i < burst; i++) void append(state, application.id, note('live'));
            await new Promise((resolve) => setImmediate(resolve));
          }
          await end(state, application.id);
          const seen = await watching;
          const newest = (await state.applications.get(application.id)).lastEventSequence;
          expect(seen.map((event) => event.sequence)).toEqual(
            Array.from({ length: newest - after }, (_, i) => after + i + 1),
          );
          expect(seen.at(-1)?.kind).toMatchObject({ type: 'applicationStatusChanged', status: 'FINISHED' });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('asks whether the application ended once for all the followers that found nothing new, not once each', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    let statusReads = 0;
    const counted = Object.create(state.applications, {
      get: {
        value: (id: string, tenant?: string) => {
          statusReads++;
          return state.applications.get(id, tenant);
        },
      },
    }) as typeof state.applications;
    const log = new ApplicationEventLog(state.events, counted);
    const appendHere = (kind: ApplicationEventKind) =>
      state.store.transaction((tx) => log.append(tx, application.id, kind));
    await appendHere(note('n1'));
    const followers = await Promise.all(
      Array.from({ length: 50 }, () => log.watch({ applicationId: application.id, afterSequence: 0, follow: true })),
    );
    const seen = followers.map(collect);
    await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    statusReads = 0;
    await appendHere(note('n2'));
    await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    expect(statusReads).toBe(1);
    await state.store.transaction(async (tx) => {
      await tx.applications.update(application.id, { status: 'FINISHED', endTime: new Date() });
      await log.append(tx, application.id, { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' });
    });
    for (const events of await Promise.all(seen)) expect(events.map((event) => event.sequence)).toEqual([1, 2, 3]);
  });

  it('a follower that reads the end before it hears of the append reads again, and ends on the terminal event', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    await append(state, application.id, note('x'));
    await end(state, application.id);
    // As on PostgreSQL: the first read after the cursor began before the end committed (it finds
    // nothing), the status read after the commit (ended), and this log has not heard of the append yet.
    let stale = true;
    const events = Object.create(state.events, {
      read: {
        value: (applicationId: string, after: number, limit: number) => {
          if (stale) {
            stale = false;
            return Promise.resolve([]);
          }
          return state.events.read(applicationId, after, limit);
        },
      },
    }) as typeof state.events;
    const log = new ApplicationEventLog(events, state.applications);
    const seen = await collect(await log.watch({ applicationId: application.id, afterSequence: 1, follow: true }));
    expect(seen.map((event) => [event.sequence, event.kind.type])).toEqual([[2, 'applicationStatusChanged']]);
  });

  it('a followed watch of an application that has ended replays and ends', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    await append(state, application.id, note('x'));
    await end(state, application.id);
    expect(
      (await collect(await state.log.watch({ applicationId: application.id, afterSequence: 0, follow: true }))).map(
        (event) => event.sequence,
      ),
    ).toEqual([1, 2]);
  });

  it('is NOT_FOUND for an unknown application and OUT_OF_RANGE past the newest event, before any event', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    await append(state, application.id, note('x'));
    await expect(state.log.watch({ applicationId: 'app-unknown', afterSequence: 0, follow: false })).rejects.toThrow(
      /application "app-unknown" is not known/,
    );
    await expect(state.log.watch({ applicationId: application.id, afterSequence: 2, follow: false })).rejects.toThrow(
      /after_sequence 2 is past the newest event of application .* \(1\)/,
    );
  });

  it('a watcher whose caller goes away stops waiting and holds nothing', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    const controller = new AbortController();
    const watching = collect(
      await state.log.watch({
        applicationId: application.id,
        afterSequence: 0,
        follow: true,
        signal: controller.signal,
      }),
    );
    await expect.poll(() => state.log.waitingWatchers(application.id)).toBe(1);
    controller.abort();
    await expect(watching).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.log.waitingWatchers(application.id)).toBe(0);
  });

  it('with group commit, sends a batch only once what was committed is durable', async () => {
    const state = testState();
    const application = testApplication();
    await state.applications.insert(application);
    let release: () => void = () => undefined;
    let asked = 0;
    const log = new ApplicationEventLog(state.events, state.applications, () => {
      asked++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    await append(state, application.id, note('n1'), log);
    const seen: number[] = [];
    const watching = (async () => {
      for await (const event of await log.watch({ applicationId: application.id, afterSequence: 0, follow: false }))
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
    await state.applications.insert(application);
    let reads = 0;
    const counting = Object.create(state.events) as typeof state.events;
    counting.read = (...args) => {
      reads++;
      return state.events.read(...args);
    };
    const log = new ApplicationEventLog(counting, state.applications);
    await append(state, application.id, note('n1'), log);
    const followers = Array.from({ length: 50 }, async () =>
      collect(await log.watch({ applicationId: application.id, afterSequence: 0, follow: true })),
    );
    // Each follower reads n1 and finds nothing after it; then they all wait.
    await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    const before = reads;
    for (let i = 2; i <= 5; i++) {
      await append(state, application.id, note(`n${i}`), log);
      await expect.poll(() => log.waitingWatchers(application.id)).toBe(50);
    }
    // Per appended event: one read of it and one read finding nothing after it, for all 50 together.
    expect(reads - before).toBeLessThanOrEqual(4 * 2);
    await end(Object.assign({}, state, { log }), application.id);
    const seen = await Promise.all(followers);
    for (const events of seen) expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
