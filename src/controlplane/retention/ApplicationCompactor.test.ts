import { describe, expect, it } from 'vitest';
import { OutOfRangeError } from '../../common/errors.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { DriverLogStore } from '../store/DriverLogStore.js';
import { RetentionStore } from '../store/RetentionStore.js';
import { silentLogger, testApplication, testState, type TestState } from '../testing/testState.js';
import { ApplicationCompactor } from './ApplicationCompactor.js';
import { compileRetentionPolicy, type RetentionPolicy } from './RetentionPolicy.js';

const DAY = 86_400_000;
const NOW = new Date('2030-01-31T12:00:00Z');

/** An application with `events` job events, a driver log of `lines` rows, ended `endedDaysAgo` days before NOW (or running). */
function application(
  state: TestState,
  { endedDaysAgo, events = 3, lines = 0 }: { endedDaysAgo?: number; events?: number; lines?: number },
): string {
  const record = testApplication({ status: 'RUNNING' });
  state.applications.insert(record);
  for (let i = 0; i < events; i++)
    state.log.append(record.id, {
      type: 'clusterStatusChanged',
      clusterId: 'c',
      status: 'RUNNING',
      message: `note ${i}`,
      jobmanagerAddress: '',
    });
  const logs = new DriverLogStore(state.db);
  for (let i = 0; i < lines; i++) {
    const source = logs.position(record.id).sourceOffset;
    logs.append(record.id, source, source + 10, [
      { stream: 'STDOUT', data: Buffer.from(`line ${String(i).padStart(4, '0')}\n`) },
    ]);
  }
  if (lines > 0) logs.complete(record.id);
  if (endedDaysAgo !== undefined) {
    state.db.transaction(() => {
      state.applications.update(record.id, {
        status: 'FINISHED',
        endTime: new Date(NOW.getTime() - endedDaysAgo * DAY),
      });
      state.log.append(record.id, { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' });
    })();
  }
  return record.id;
}

function compactor(state: TestState, policy: Partial<RetentionPolicy>): ApplicationCompactor {
  return new ApplicationCompactor({
    store: new RetentionStore(state.db),
    policy: compileRetentionPolicy(policy),
    logger: silentLogger,
    now: () => NOW,
  });
}

async function collect(events: AsyncIterable<ApplicationEvent>): Promise<ApplicationEvent[]> {
  const seen: ApplicationEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('ApplicationCompactor', () => {
  it('compacts applications that ended longer ago than the retention time: the terminal event stays, a watch from before it is OUT_OF_RANGE', async () => {
    const state = testState();
    const old = application(state, { endedDaysAgo: 8, events: 5 });
    const recent = application(state, { endedDaysAgo: 6, events: 5 });
    const running = application(state, { events: 5 });
    const compacted = compactor(state, { maxAgeMs: 7 * DAY, maxCount: 0 }).compactDue();
    expect(compacted).toEqual([
      { applicationId: old, eventsDropped: 5, logBytesDropped: 0, firstKeptSequence: 6, firstKeptOffset: 0 },
    ]);

    // The application itself stays, with its outcome; of its events, the last (its terminal status).
    expect(state.applications.get(old).status).toBe('FINISHED');
    expect(state.events.read(old, 0, 100).map((event) => event.sequence)).toEqual([6]);
    const kept = await collect(state.log.watch({ applicationId: old, afterSequence: 5, follow: true }));
    expect(kept.map((event) => event.kind)).toEqual([
      { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' },
    ]);
    expect(() => state.log.watch({ applicationId: old, afterSequence: 0, follow: false })).toThrow(OutOfRangeError);
    expect(() => state.log.watch({ applicationId: old, afterSequence: 4, follow: false })).toThrow(
      /after_sequence 4 is older than what application \S+ keeps: retention compacted its events on 2030-01-31T12:00:00.000Z; the oldest event still available is 6 \(watch with after_sequence 5 or more\)/,
    );

    // The others are untouched.
    expect(state.events.read(recent, 0, 100)).toHaveLength(6);
    expect(state.events.read(running, 0, 100)).toHaveLength(5);
    expect(
      (await collect(state.log.watch({ applicationId: recent, afterSequence: 0, follow: false }))).map(
        (event) => event.sequence,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    // Compaction happens once.
    expect(compactor(state, { maxAgeMs: 7 * DAY, maxCount: 0 }).compactDue()).toEqual([]);
  });

  it('keeps the newest ended applications whole up to the count and compacts older ones, whatever their age', () => {
    const state = testState();
    const ended = [5, 4, 3, 2, 1].map((endedDaysAgo) => application(state, { endedDaysAgo }));
    const running = application(state, {});
    const policy = { maxAgeMs: 0, maxCount: 2 };
    expect(
      compactor(state, policy)
        .compactDue()
        .map((one) => one.applicationId),
    ).toEqual(ended.slice(0, 3));
    expect(state.events.read(running, 0, 100)).toHaveLength(3);
    expect(ended.map((id) => state.events.read(id, 0, 100).length)).toEqual([1, 1, 1, 4, 4]);
    expect(compactor(state, policy).compactDue()).toEqual([]);

    // One more ends: the oldest of the two kept whole is compacted next.
    const newest = application(state, { endedDaysAgo: 0 });
    expect(
      compactor(state, policy)
        .compactDue()
        .map((one) => one.applicationId),
    ).toEqual([ended[3]]);
    expect(state.events.read(newest, 0, 100)).toHaveLength(4);
  });

  it('applies whichever limit comes first', () => {
    const state = testState();
    const [tooOld, pastCount, kept] = [
      application(state, { endedDaysAgo: 10 }),
      application(state, { endedDaysAgo: 2 }),
      application(state, { endedDaysAgo: 1 }),
    ];
    const compacted = compactor(state, { maxAgeMs: 7 * DAY, maxCount: 1 })
      .compactDue()
      .map((one) => one.applicationId);
    expect(compacted.sort()).toEqual([tooOld, pastCount].sort());
    expect(state.events.read(kept, 0, 100)).toHaveLength(4);
  });

  it('keeps the end of the driver log that fits in the tail, and reading from before it is OUT_OF_RANGE naming the oldest offset kept', () => {
    const state = testState();
    const id = application(state, { endedDaysAgo: 30, lines: 10 });
    const [compacted] = compactor(state, { maxAgeMs: DAY, logTailBytes: 30 }).compactDue();
    expect(compacted).toMatchObject({ logBytesDropped: 70, firstKeptOffset: 70 });
    const logs = new DriverLogStore(state.db);
    expect(logs.position(id)).toMatchObject({ firstKeptOffset: 70, endOffset: 100 });
    expect(logs.read(id, 70, 100).map((piece) => piece.data.toString())).toEqual([
      'line 0007\n',
      'line 0008\n',
      'line 0009\n',
    ]);
  });

  it('waits for an application whose driver log is still being copied', () => {
    const state = testState();
    const copying = application(state, { endedDaysAgo: 30 });
    state.applications.update(copying, { driverJobId: 'job-1' });
    const policy = { maxAgeMs: DAY };
    expect(compactor(state, policy).compactDue()).toEqual([]);
    new DriverLogStore(state.db).complete(copying);
    expect(
      compactor(state, policy)
        .compactDue()
        .map((one) => one.applicationId),
    ).toEqual([copying]);
  });

  it('a watch that was replaying when its events were compacted ends OUT_OF_RANGE instead of skipping them', async () => {
    const state = testState();
    const id = application(state, { endedDaysAgo: 30, events: 300 });
    const watch = state.log.watch({ applicationId: id, afterSequence: 0, follow: true })[Symbol.asyncIterator]();
    expect((await watch.next()).value).toMatchObject({ sequence: 1 });
    compactor(state, { maxAgeMs: DAY }).compactDue();
    // The batch it read already is served; then the gap is refused.
    const seen: number[] = [];
    await expect(
      (async () => {
        for (let next = await watch.next(); !next.done; next = await watch.next()) seen.push(next.value.sequence);
      })(),
    ).rejects.toThrow(/the oldest event still available is 301/);
    expect(seen.at(-1)).toBeLessThan(301);
  });
});
