import { describe, expect, it } from 'vitest';
import { NotFoundError, OutOfRangeError, UnavailableError } from '../../common/errors.js';
import {
  JobOutputNotKeptError,
  type DispatcherGateway,
  type JobOutputChunk,
  type JobOutputStream,
} from '../clusters/DispatcherGateway.js';
import type { Cluster } from '../model/Cluster.js';
import type { DriverLogPiece } from '../store/DriverLogStore.js';
import { silentLogger, testApplication, testCluster, testState } from '../testing/testState.js';
import { DriverLogs } from './DriverLogs.js';

/**
 * A driver job's output as a Dispatcher keeps it: pieces at byte offsets, read from an offset and
 * followed until closed. `breakAfter` makes the next read fail after that many pieces, as a broken
 * stream does; `oldest` drops what is older, as the Dispatcher's bound does.
 */
class FakeJobOutput {
  readonly chunks: JobOutputChunk[] = [];
  readonly readsFrom: number[] = [];
  closed = false;
  oldest = 0;
  breakAfter: number | undefined;
  forgotten = false;
  private broken = false;
  private wake: (() => void) | undefined;

  write(text: string, stream: JobOutputStream = 'STDOUT'): void {
    const offset = this.chunks.at(-1)?.nextOffset ?? 0;
    const data = Buffer.from(text);
    this.chunks.push({ offset, data, stream, nextOffset: offset + data.byteLength });
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Fails the read that waits now, as a lost connection does. */
  break(): void {
    this.broken = true;
    this.wake?.();
  }

  async *read(offset: number, signal: AbortSignal): AsyncGenerator<JobOutputChunk> {
    this.readsFrom.push(offset);
    if (this.forgotten) throw new NotFoundError('job job-1 is not known');
    if (offset < this.oldest)
      throw new JobOutputNotKeptError(
        `offset ${offset} is no longer kept; the oldest kept offset is ${this.oldest}`,
        this.oldest,
      );
    let cursor = offset;
    let sent = 0;
    for (;;) {
      for (const chunk of this.chunks.filter((candidate) => candidate.offset >= cursor)) {
        if (this.breakAfter !== undefined && sent === this.breakAfter) {
          this.breakAfter = undefined;
          throw new UnavailableError('the stream broke');
        }
        yield chunk;
        sent++;
        cursor = chunk.nextOffset;
      }
      if (this.closed) return;
      await new Promise<void>((resolve, reject) => {
        this.wake = resolve;
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      if (this.broken) {
        this.broken = false;
        throw new UnavailableError('connection reset');
      }
    }
  }
}

async function setUp() {
  const state = testState();
  const cluster: Cluster = testCluster();
  await state.clusters.insert(cluster);
  const application = testApplication({ status: 'RUNNING', clusterId: cluster.id, driverJobId: 'job-1' });
  await state.applications.insert(application);
  await state.store.transaction((tx) =>
    state.log.append(tx, application.id, { type: 'applicationStatusChanged', status: 'RUNNING', message: 'running' }),
  );
  const output = new FakeJobOutput();
  const gateway = {
    address: '127.0.0.1:1',
    readJobOutput: (_jobId: string, offset: number, _follow: boolean, signal: AbortSignal) =>
      output.read(offset, signal),
  } as unknown as DispatcherGateway;
  const clusters = { get: () => state.clusters.get(cluster.id), gateway: async () => gateway };
  const store = state.store.driverLogs;
  const logs = () => {
    const driverLogs = new DriverLogs({
      store,
      applications: state.applications,
      clusters,
      logger: silentLogger,
      retryDelayMs: 1,
    });
    state.log.onAppended((event) => driverLogs.applicationEvent(event));
    return driverLogs;
  };
  const end = () =>
    state.store.transaction(async (tx) => {
      await tx.applications.update(application.id, { status: 'FINISHED', endTime: new Date() });
      await state.log.append(tx, application.id, {
        type: 'applicationStatusChanged',
        status: 'FINISHED',
        message: 'done',
      });
    });
  return { state, cluster, application, output, store, logs, end };
}

async function text(pieces: AsyncIterable<DriverLogPiece>): Promise<string> {
  let all = '';
  for await (const piece of pieces) all += piece.data.toString();
  return all;
}

describe('DriverLogs', () => {
  it('copies the driver job’s output into the store and serves it from any offset, exactly the rest', async () => {
    const { application, output, store, logs } = await setUp();
    const driverLogs = logs();
    output.write('one\n');
    output.write('two\n', 'STDERR');
    output.write('three\n');
    output.close();
    driverLogs.consider(application.id);
    await expect.poll(async () => (await store.position(application.id)).completedAt).toBeInstanceOf(Date);
    const whole = await text(await driverLogs.read({ applicationId: application.id, offset: 0, follow: false }));
    expect(whole).toBe('one\ntwo\nthree\n');
    for (let offset = 0; offset <= whole.length; offset++) {
      expect(await text(await driverLogs.read({ applicationId: application.id, offset, follow: false }))).toBe(
        whole.slice(offset),
      );
    }
    const streams = [];
    for await (const piece of await driverLogs.read({ applicationId: application.id, offset: 0, follow: false }))
      streams.push([piece.stream, piece.data.toString()]);
    expect(streams).toEqual([
      ['STDOUT', 'one\n'],
      ['STDERR', 'two\n'],
      ['STDOUT', 'three\n'],
    ]);
    expect(await store.position(application.id)).toMatchObject({ sourceOffset: 14, endOffset: 14 });
    await driverLogs.close();
  });

  it('a following reader gets output as it is copied and ends once the application has ended and the copy is complete', async () => {
    const { application, output, logs, end } = await setUp();
    const driverLogs = logs();
    driverLogs.consider(application.id);
    const received: string[] = [];
    const reading = (async () => {
      for await (const piece of await driverLogs.read({ applicationId: application.id, offset: 0, follow: true }))
        received.push(piece.data.toString());
    })();
    output.write('first\n');
    await expect.poll(() => received.join('')).toBe('first\n');
    output.write('second\n');
    await expect.poll(() => received.join('')).toBe('first\nsecond\n');
    output.close();
    // The copy is complete, but the application has not ended: the reader waits on.
    await expect.poll(() => driverLogs.waitingReaders(application.id)).toBe(1);
    await end();
    await reading;
    expect(received.join('')).toBe('first\nsecond\n');
    await driverLogs.close();
  });

  it('resumes after a broken stream and after a restart from the stored source offset, repeating and skipping nothing', async () => {
    const { application, output, store, logs, end } = await setUp();
    output.breakAfter = 2;
    for (let i = 1; i <= 5; i++) output.write(`line ${i}\n`);
    const first = logs();
    first.consider(application.id);
    await expect.poll(async () => (await store.position(application.id)).sourceOffset).toBe(35);
    // A stop (the control plane shutting down) leaves the copy to the next start.
    await first.close();
    output.write('line 6\n');
    output.close();
    const second = logs();
    await second.recover();
    await expect.poll(async () => (await store.position(application.id)).completedAt).toBeInstanceOf(Date);
    await end();
    expect(await text(await second.read({ applicationId: application.id, offset: 0, follow: true }))).toBe(
      'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n',
    );
    expect(output.readsFrom).toEqual([0, 14, 35]);
    await second.close();
  });

  it('notes output the Dispatcher dropped before it was copied, and goes on from the oldest it kept', async () => {
    const { application, output, store, logs } = await setUp();
    for (let i = 1; i <= 3; i++) output.write(`line ${i}\n`);
    output.oldest = 7;
    output.close();
    const driverLogs = logs();
    driverLogs.consider(application.id);
    await expect.poll(async () => (await store.position(application.id)).completedAt).toBeInstanceOf(Date);
    const pieces = [];
    for await (const piece of await driverLogs.read({ applicationId: application.id, offset: 0, follow: false }))
      pieces.push(piece);
    expect(pieces[0]).toMatchObject({ stream: 'LOGGER' });
    expect(pieces[0].data.toString()).toMatch(/^\[flotilla\] 7 bytes of the driver's output are missing here/);
    expect(
      pieces
        .slice(1)
        .map((piece) => piece.data.toString())
        .join(''),
    ).toBe('line 2\nline 3\n');
    expect((await store.position(application.id)).sourceOffset).toBe(21);
    await driverLogs.close();
  });

  it('ends the copy with a note when the cluster is gone or no longer knows the driver job', async () => {
    const lostCluster = await setUp();
    lostCluster.output.write('before\n');
    const first = lostCluster.logs();
    first.consider(lostCluster.application.id);
    await expect.poll(async () => (await lostCluster.store.position(lostCluster.application.id)).sourceOffset).toBe(7);
    await lostCluster.state.clusters.update(lostCluster.cluster.id, { status: 'FAILED', endTime: new Date() });
    lostCluster.output.break();
    await expect
      .poll(async () => (await lostCluster.store.position(lostCluster.application.id)).completedAt)
      .toBeInstanceOf(Date);
    expect(
      await text(await first.read({ applicationId: lostCluster.application.id, offset: 0, follow: false })),
    ).toMatch(
      new RegExp(
        `^before\n\\[flotilla\\] the driver's output may be incomplete: cluster ${lostCluster.cluster.id} ended \\(FAILED\\)`,
      ),
    );

    const forgotten = await setUp();
    forgotten.output.forgotten = true;
    const second = forgotten.logs();
    second.consider(forgotten.application.id);
    await expect
      .poll(async () => (await forgotten.store.position(forgotten.application.id)).completedAt)
      .toBeInstanceOf(Date);
    expect(
      await text(await second.read({ applicationId: forgotten.application.id, offset: 0, follow: false })),
    ).toMatch(/no longer knows driver job job-1/);
    await Promise.all([first.close(), second.close()]);
  });

  it('answers NOT_FOUND for an unknown application and OUT_OF_RANGE past the end or before what retention kept', async () => {
    const { state, application, output, store, logs, end } = await setUp();
    const driverLogs = logs();
    await expect(driverLogs.read({ applicationId: 'app-nope', offset: 0, follow: false })).rejects.toThrow(
      NotFoundError,
    );
    for (let i = 1; i <= 4; i++) output.write(`line ${i}\n`);
    output.close();
    driverLogs.consider(application.id);
    await expect.poll(async () => (await store.position(application.id)).completedAt).toBeInstanceOf(Date);
    await expect(driverLogs.read({ applicationId: application.id, offset: 29, follow: false })).rejects.toThrow(
      /offset 29 is past the end of the driver log .* \(28 bytes so far\)/,
    );
    await end();
    // A tail of 0 bytes keeps nothing: the oldest offset kept is the end.
    await state.store.retention.compact(application.id, 0);
    await expect(driverLogs.read({ applicationId: application.id, offset: 0, follow: false })).rejects.toThrow(
      OutOfRangeError,
    );
    await expect(driverLogs.read({ applicationId: application.id, offset: 0, follow: false })).rejects.toThrow(
      /the oldest offset kept is 28/,
    );
    expect(await text(await driverLogs.read({ applicationId: application.id, offset: 28, follow: true }))).toBe('');
    await driverLogs.close();
  });
});
