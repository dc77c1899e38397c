import { describe, expect, it } from 'vitest';
import { OutOfRangeError } from '../../common/errors.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { silentLogger, testApplication, testState, type TestState } from '../testing/testState.js';
import { ApplicationCompactor } from './ApplicationCompactor.js';
import { compileRetentionPolicy, type RetentionPolicy } from './RetentionPolicy.js';

const DAY = 86_400_000;
const NOW = new Date('2030-01-31T12:00:00Z');

/** An application with `events` job events, a driver log of `lines` rows, ended `endedDaysAgo` days before NOW (or running). */
async function application(
  state: TestState,
  { endedDaysAgo, events = 3, lines = 0 }: { endedDaysAgo?: number; events?: number; lines?: number },
): Promise<string> {
  const record = testApplication({ status: 'RUNNING' });
  await state.applications.insert(record);
  for (let i = 0; i < events; i++)
    await state.store.transaction((tx) =>
      state.log.append(tx, record.id, {
        type: 'clusterStatusChanged',
        clusterId: 'c',
        status: 'RUNNING',
        message: `note ${i}`,
        jobmanagerAddress: '',
      }),
    );
  const logs = state.store.driverLogs;
  for (let i = 0; i < lines; i++) {
    const source = (await logs.position(record.id)).sourceOffset;
    await logs.append(record.id, source, source + 10, [
      { stream: 'STDOUT', data: Buffer.from(`line ${String(i).padStart(4, '0')}\n`) },
    ]);
  }
  if (lines > 0) await logs.complete(record.id);
  if (endedDaysAgo !== undefined) {
    await state.store.transaction(async (tx) => {
      await tx.applications.update(record.id, {
        status: 'FINISHED',
        endTime: new Date(NOW.getTime() - endedDaysAgo * DAY),
      });
      await state.log.append(tx, record.id, { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' });
    });
  }
  return record.id;
}

function compactor(state: TestState, policy: Partial<RetentionPolicy>): ApplicationCompactor {
  return new ApplicationCompactor({
    store: state.store.retention,
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
    const old = await application(state, { endedDaysAgo: 8, events: 5 });
    const recent = await application(state, { endedDaysAgo: 6, events: 5 });
    const running = await application(state, { events: 5 });
    const compacted = await compactor(state, { maxAgeMs: 7 * DAY, maxCount: 0 }).compactDue();
    expect(compacted).toEqual([
      { applicationId: old, eventsDropped: 5, logBytesDropped: 0, firstKeptSequence: 6, firstKeptOffset: 0 },
    ]);

    // The application itself stays, with its outcome; of its events, the last (its terminal status).
    expect((await state.applications.get(old)).status).toBe('FINISHED');
    expect((await state.events.read(old, 0, 100)).map((event) => event.sequence)).toEqual([6]);
    const kept = await collect(await state.log.watch({ applicationId: old, afterSequence: 5, follow: true }));
    expect(kept.map((event) => event.kind)).toEqual([
      { type: 'applicationStatusChanged', status: 'FINISHED', message: 'done' },
    ]);
    await expect(state.log.watch({ applicationId: old, afterSequence: 0, follow: false })).rejects.toThrow(
      OutOfRangeError,
    );
    await expect(state.log.watch({ applicationId: old, afterSequence: 4, follow: false })).rejects.toThrow(
      /after_sequence 4 is older than what application \S+ keeps: retention compacted its events on 2030-01-31T12:00:00.000Z; the oldest event still available is 6 \(watch with after_sequence 5 or more\)/,
    );

    // The others are untouched.
    expect(await state.events.read(recent, 0, 100)).toHaveLength(6);
    expect(await state.events.read(running, 0, 100)).toHaveLength(5);
    expect(
      (await collect(await state.log.watch({ applicationId: recent, afterSequence: 0, follow: false }))).map(
        (event) => event.sequence,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    // Compaction happens once.
    expect(await compactor(state, { maxAgeMs: 7 * DAY, maxCount: 0 }).compactDue()).toEqual([]);
  });

  it('keeps the newest ended applications whole up to the count and compacts older ones, whatever their age', async () => {
    const state = testState();
    const ended: string[] = [];
    for (const endedDaysAgo of [5, 4, 3, 2, 1]) ended.push(await application(state, { endedDaysAgo }));
    const running = await application(state, {});
    const policy = { maxAgeMs: 0, maxCount: 2 };
    expect((await compactor(state, policy).compactDue()).map((one) => one.applicationId)).toEqual(ended.slice(0, 3));
    expect(await state.events.read(running, 0, 100)).toHaveLength(3);
    expect(await Promise.all(ended.map(async (id) => (await state.events.read(id, 0, 100)).length))).toEqual([
      1, 1, 1, 4, 4,
    ]);
    expect(await compactor(state, policy).compactDue()).toEqual([]);

    // One more ends: the oldest of the two kept whole is compacted next.
    const newest = await application(state, { endedDaysAgo: 0 });
    expect((await compactor(state, policy).compactDue()).map((one) => one.applicationId)).toEqual([ended[3]]);
    expect(await state.events.read(newest, 0, 100)).toHaveLength(4);
  });

  it('applies whichever limit comes first', async () => {
    const state = testState();
    const tooOld = await application(state, { endedDaysAgo: 10 });
    const pastCount = await application(state, { endedDaysAgo: 2 });
    const kept = await application(state, { endedDaysAgo: 1 });
    const compacted = (await compactor(state, { maxAgeMs: 7 * DAY, maxCount: 1 }).compactDue()).map(
      (one) => one.applicationId,
    );
    expect(compacted.sort()).toEqual([tooOld, pastCount].sort());
    expect(await state.events.read(kept, 0, 100)).toHaveLength(4);
  });

  it('keeps the end of the driver log that fits in the tail, and reading from before it is OUT_OF_RANGE naming the oldest offset kept', async () => {
    const state = testState();
    const id = await application(state, { endedDaysAgo: 30, lines: 10 });
    const [compacted] = await compactor(state, { maxAgeMs: DAY, logTailBytes: 30 }).compactDue();
    expect(compacted).toMatchObject({ logBytesDropped: 70, firstKeptOffset: 70 });
    const logs = state.store.driverLogs;
    expect(await logs.position(id)).toMatchObject({ firstKeptOffset: 70, endOffset: 100 });
    expect((await logs.read(id, 70, 100)).map((piece) => piece.data.toString())).toEqual([
      'line 0007\n',
      'line 0008\n',
      'line 0009\n',
    ]);
  });

  it('waits for an application whose driver log is still being copied', async () => {
    const state = testState();
    const copying = await application(state, { endedDaysAgo: 30 });
    await state.applications.update(copying, { driverJobId: 'job-1' });
    const policy = { maxAgeMs: DAY };
    expect(await compactor(state, policy).compactDue()).toEqual([]);
    await state.store.driverLogs.complete(copying);
    expect((await compactor(state, policy).compactDue()).map((one) => one.applicationId)).toEqual([copying]);
  });

  it('a watch that was replaying when its events were compacted ends OUT_OF_RANGE instead of skipping them', async () => {
    const state = testState();
    const id = await application(state, { endedDaysAgo: 30, events: 300 });
    const watch = (await state.log.watch({ applicationId: id, afterSequence: 0, follow: true }))[
      Symbol.asyncIterator
    ]();
    expect((await watch.next()).value).toMatchObject({ sequence: 1 });
    await compactor(state, { maxAgeMs: DAY }).compactDue();
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
