import { isAbortError } from 'abort-controller-x';
import { describe, expect, it } from 'vitest';
import { OutOfRangeError } from '../common/errors.js';
import type { DispatcherEventKind, JobEvent as LoggedJobEvent } from '../runtime/JobEvent.js';
import { JobEventLog } from '../runtime/JobEventLog.js';
import { collectGraph, drain, testDispatcher } from './testing/testDispatcher.js';

/** An event of a Dispatcher's log. */
type JobEvent = LoggedJobEvent<DispatcherEventKind>;

const statuses = (events: JobEvent[], jobId: string) =>
  events.flatMap((event) =>
    event.kind.type === 'jobStatusChanged' && event.jobId === jobId ? [event.kind.status] : [],
  );

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('Dispatcher job events', () => {
  it('numbers every job status and task state change without gaps, across the cluster and per job', async () => {
    const { dispatcher } = testDispatcher({}, { taskExecutors: 4 });
    const [first, second] = await Promise.all(
      ['left', 'right'].map((name) =>
        dispatcher.submitJob({ graph: collectGraph(name), livingPriority: 'DAEMON', applicationId: 'app-7' }),
      ),
    );
    await Promise.all([dispatcher.requestJobResult(first), dispatcher.requestJobResult(second)]);

    const events = await drain(dispatcher.watchJobEvents({ afterSequence: 0, follow: false }));
    expect(events.map((event) => event.sequence)).toEqual(range(1, events.length));
    for (const jobId of [first, second]) {
      const own = events.filter((event) => event.jobId === jobId);
      expect(own.map((event) => event.jobSequence)).toEqual(range(1, own.length));
      expect(statuses(events, jobId)).toEqual(['CREATED', 'RUNNING', 'FINISHED']);
      // 4 subtasks, each SCHEDULED, DEPLOYING, INITIALIZING, RUNNING, FINISHED; plus 3 job statuses.
      expect(own).toHaveLength(4 * 5 + 3);
    }
    expect(new Set(events.map((event) => event.applicationId))).toEqual(new Set(['app-7']));
    const running = events.find((event) => event.kind.type === 'taskStateChanged' && event.kind.state === 'RUNNING')!;
    expect(running.kind).toMatchObject({
      vertexName: expect.any(String),
      attemptNumber: 0,
      taskExecutorId: expect.stringMatching(/^te-\d$/),
    });
    const created = events.find((event) => event.kind.type === 'jobStatusChanged')!;
    expect(created.kind).toMatchObject({ jobName: expect.any(String), livingPriority: 'DAEMON', status: 'CREATED' });
  });

  it('replays exactly the events after a sequence, of one job when asked', async () => {
    const { dispatcher } = testDispatcher({}, { taskExecutors: 4 });
    const first = await dispatcher.submitJob({
      graph: collectGraph('one'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const second = await dispatcher.submitJob({
      graph: collectGraph('two'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await Promise.all([dispatcher.requestJobResult(first), dispatcher.requestJobResult(second)]);
    const all = await drain(dispatcher.watchJobEvents({ afterSequence: 0, follow: false }));

    const rest = await drain(dispatcher.watchJobEvents({ afterSequence: 17, follow: false }));
    expect(rest).toEqual(all.slice(17));
    const ofSecond = await drain(dispatcher.watchJobEvents({ afterSequence: 17, jobId: second, follow: false }));
    expect(ofSecond).toEqual(all.slice(17).filter((event) => event.jobId === second));
    expect(await drain(dispatcher.watchJobEvents({ afterSequence: all.length, follow: false }))).toEqual([]);
  });

  it('follows live events after the replay; a followed watch of one job ends after its terminal status', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('followed'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const watched = drain(dispatcher.watchJobEvents({ afterSequence: 0, jobId, follow: true }));
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    dispatcher.cancelJob(jobId);
    const events = await watched;
    expect(statuses(events, jobId)).toEqual(['CREATED', 'RUNNING', 'CANCELLING', 'CANCELED']);
    expect(events.at(-1)!.kind).toMatchObject({ type: 'jobStatusChanged', status: 'CANCELED' });
    expect(events.map((event) => event.jobSequence)).toEqual(range(1, events.length));
  });

  it('a watch started in the middle of a burst sees every event once, in order', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 8, slotsPerTaskExecutor: 1 });
    const controller = new AbortController();
    const seen: JobEvent[] = [];
    let runningAtStart = 0;
    let watching: Promise<void> | undefined;
    const finishedJobs = () =>
      seen.filter((event) => event.kind.type === 'jobStatusChanged' && event.kind.status === 'FINISHED').length;
    // The watch starts while the second job's tasks are being deployed: events exist and many more are coming.
    cluster.script = (task) => {
      if (!watching && dispatcher.jobCounts().running === 3 && task.vertexId === 'sink') {
        runningAtStart = dispatcher.jobCounts().running;
        watching = (async () => {
          for await (const event of dispatcher.watchJobEvents({
            afterSequence: 0,
            follow: true,
            signal: controller.signal,
          })) {
            seen.push(event);
            if (finishedJobs() === 3) return;
          }
        })();
      }
      return { outcome: 'finish', delayTurns: task.subtaskIndex };
    };
    const jobIds = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        dispatcher.submitJob({
          graph: collectGraph(name, { parallelism: 2 }),
          livingPriority: 'NORMAL',
          applicationId: '',
        }),
      ),
    );
    await Promise.all(jobIds.map((jobId) => dispatcher.requestJobResult(jobId)));
    await watching;
    controller.abort();
    expect(runningAtStart).toBe(3);
    const recorded = await drain(dispatcher.watchJobEvents({ afterSequence: 0, follow: false }));
    expect(seen.map((event) => event.sequence)).toEqual(range(1, recorded.length));
    expect(seen).toEqual(recorded);
  });

  it('releases a followed watch whose caller went away', async () => {
    const log = new JobEventLog(10);
    log.append('job-1', '', {
      type: 'jobStatusChanged',
      jobId: 'job-1',
      jobName: 'x',
      status: 'CREATED',
      livingPriority: 'NORMAL',
    });
    const controller = new AbortController();
    const iterator = log.watch({ afterSequence: 0, follow: true, signal: controller.signal })[Symbol.asyncIterator]();
    expect(((await iterator.next()).value as JobEvent).sequence).toBe(1);
    const waiting = iterator.next();
    expect(log.waitingWatchers).toBe(1);
    controller.abort();
    const error = await waiting.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(log.waitingWatchers).toBe(0);
  });
});

describe('JobEventLog retention', () => {
  const append = (log: JobEventLog, count: number) => {
    for (let index = 0; index < count; index++)
      log.append('job-1', '', {
        type: 'jobStatusChanged',
        jobId: 'job-1',
        jobName: 'x',
        status: 'RUNNING',
        livingPriority: 'NORMAL',
      });
  };

  it('keeps the newest events and refuses a cursor older than them with OUT_OF_RANGE naming the oldest kept', async () => {
    const log = new JobEventLog(5);
    append(log, 12);
    expect(log.oldestSequence).toBe(8);
    expect((await drain(log.watch({ afterSequence: 7, follow: false }))).map((event) => event.sequence)).toEqual([
      8, 9, 10, 11, 12,
    ]);
    const tooOld = drain(log.watch({ afterSequence: 3, follow: false }));
    await expect(tooOld).rejects.toThrow(OutOfRangeError);
    await expect(drain(log.watch({ afterSequence: 3, follow: false }))).rejects.toThrow(
      /the oldest kept event is 8: watch again with after_sequence 7/,
    );
    await expect(drain(log.watch({ afterSequence: 13, follow: false }))).rejects.toThrow(
      /after_sequence 13 is past the newest event of this cluster \(12\)/,
    );
  });

  it('tells a watcher that fell behind the kept window instead of skipping events', async () => {
    const log = new JobEventLog(3);
    append(log, 3);
    const iterator = log.watch({ afterSequence: 0, follow: false })[Symbol.asyncIterator]();
    expect(((await iterator.next()).value as JobEvent).sequence).toBe(1);
    append(log, 5);
    await expect(iterator.next()).rejects.toThrow(/events after sequence 1 are no longer kept/);
  });

  it('numbers each job from 1', () => {
    const log = new JobEventLog(10);
    const kind = (jobId: string) => ({
      type: 'jobStatusChanged' as const,
      jobId,
      jobName: jobId,
      status: 'CREATED' as const,
      livingPriority: 'NORMAL' as const,
    });
    expect(
      [log.append('a', '', kind('a')), log.append('b', '', kind('b')), log.append('a', '', kind('a'))].map((event) => [
        event.sequence,
        event.jobSequence,
      ]),
    ).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
    ]);
  });
});
