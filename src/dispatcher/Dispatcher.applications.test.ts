import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../common/errors.js';
import type { Dispatcher } from './Dispatcher.js';
import type { DispatcherEventKind, JobEvent as LoggedJobEvent } from '../runtime/JobEvent.js';
import { collectGraph, drain, driverGraph, testDispatcher } from './testing/testDispatcher.js';

/** An event of a Dispatcher's log. */
type JobEvent = LoggedJobEvent<DispatcherEventKind>;

/** The application status changes among `events`, with their sequences. */
function applicationChanges(events: JobEvent[], applicationId: string) {
  return events.flatMap((event) =>
    event.kind.type === 'applicationStatusChanged' && event.applicationId === applicationId
      ? [
          {
            sequence: event.sequence,
            status: event.kind.status,
            failure: event.kind.failure,
            message: event.kind.message,
          },
        ]
      : [],
  );
}

/** The sequence of the event in which `jobId` reached `status`. */
function sequenceOf(events: JobEvent[], jobId: string, status: string): number {
  const event = events.find(
    (candidate) =>
      candidate.kind.type === 'jobStatusChanged' && candidate.jobId === jobId && candidate.kind.status === status,
  );
  if (!event) throw new Error(`job ${jobId} never was ${status}`);
  return event.sequence;
}

/** Every event of the driver job, followed until its application has ended. */
function untilApplicationEnds(dispatcher: Dispatcher, driverJobId: string): Promise<JobEvent[]> {
  return drain(dispatcher.watchJobEvents({ afterSequence: 0, jobId: driverJobId, follow: true }));
}

async function allEvents(dispatcher: Dispatcher): Promise<JobEvent[]> {
  return drain(dispatcher.watchJobEvents({ afterSequence: 0, follow: false }));
}

const submitDriver = (dispatcher: Dispatcher, applicationId: string) =>
  dispatcher.submitJob({ graph: driverGraph(applicationId), livingPriority: 'DRIVER', applicationId });
const submitJob = (
  dispatcher: Dispatcher,
  applicationId: string,
  livingPriority: 'NORMAL' | 'DAEMON',
  name = 'etl: job',
) => dispatcher.submitJob({ graph: collectGraph(name, { parallelism: 1 }), livingPriority, applicationId });

describe('Dispatcher applications (FLIP-40 DriverDispatcher rules)', () => {
  it('a driver that finishes with no other jobs ends its application FINISHED, after RUNNING', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'finish', delayTurns: 3 });
    const driver = await submitDriver(dispatcher, 'app-1');
    const events = await untilApplicationEnds(dispatcher, driver);

    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'FINISHED']);
    expect(changes[0].message).toBe('main() is running in task executor te-0');
    expect(changes[1]).toMatchObject({
      failure: undefined,
      message: 'main() returned and every job of the application ended (it submitted no jobs)',
    });
    const running = events.find((event) => event.kind.type === 'taskStateChanged' && event.kind.state === 'RUNNING')!;
    expect(changes[0].sequence).toBe(running.sequence + 1);
    expect(changes[1].sequence).toBeGreaterThan(sequenceOf(events, driver, 'FINISHED'));
    // Application events are numbered among the driver job's events and carry the application id, as every event does.
    expect(events.map((event) => event.jobSequence)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((event) => event.applicationId))).toEqual(new Set(['app-1']));
    expect(dispatcher.getApplication('app-1')).toMatchObject({
      status: 'FINISHED',
      driverJobId: driver,
      jobs: [{ jobId: driver, livingPriority: 'DRIVER', status: 'FINISHED' }],
    });
  });

  it('keeps the application RUNNING after main() returned while a NORMAL job runs, and FINISHED once it ended', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    const normal = await submitJob(dispatcher, 'app-1', 'NORMAL');
    await expect.poll(() => dispatcher.getJob(normal).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

    cluster.complete(driver, 'finish');
    await expect.poll(() => dispatcher.getJob(driver).status).toBe('FINISHED');
    // The job master reports FINISHED a few turns after the task did; the application must still run.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(dispatcher.getApplication('app-1').status).toBe('RUNNING');
    expect(applicationChanges(await allEvents(dispatcher), 'app-1').map((change) => change.status)).toEqual([
      'RUNNING',
    ]);

    cluster.complete(normal, 'finish');
    const events = await untilApplicationEnds(dispatcher, driver);
    const all = await allEvents(dispatcher);
    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'FINISHED']);
    expect(changes[1].sequence).toBeGreaterThan(sequenceOf(all, normal, 'FINISHED'));
    expect(changes[1].message).toBe('main() returned and every job of the application ended (jobs: 1 FINISHED)');
  });

  it('cancels the DAEMON jobs once no DRIVER or NORMAL job is left, then reports FINISHED', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    const daemon = await submitJob(dispatcher, 'app-1', 'DAEMON', 'etl: metrics');
    await expect.poll(() => dispatcher.getJob(daemon).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

    cluster.complete(driver, 'finish');
    const events = await untilApplicationEnds(dispatcher, driver);
    const all = await allEvents(dispatcher);
    expect(dispatcher.getJob(daemon).status).toBe('CANCELED');
    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'FINISHED']);
    expect(changes[1].sequence).toBeGreaterThan(sequenceOf(all, daemon, 'CANCELED'));
    expect(changes[1].message).toBe('main() returned and every job of the application ended (daemon jobs: 1 CANCELED)');
  });

  it('cancels every other job when the driver fails, then reports FAILED with the driver’s failure', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 3 });
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    const normal = await submitJob(dispatcher, 'app-1', 'NORMAL');
    const daemon = await submitJob(dispatcher, 'app-1', 'DAEMON');
    await expect
      .poll(() => [normal, daemon].map((jobId) => dispatcher.getJob(jobId).taskCounts))
      .toEqual([[{ state: 'RUNNING', count: 2 }], [{ state: 'RUNNING', count: 2 }]]);

    const thrown = {
      name: 'RangeError',
      message: 'no input for 2024-05-01',
      stack: 'RangeError: no input for 2024-05-01\n    at main (main.js:7:11)',
    };
    cluster.complete(driver, 'fail', thrown);
    const events = await untilApplicationEnds(dispatcher, driver);
    const all = await allEvents(dispatcher);

    expect([normal, daemon].map((jobId) => dispatcher.getJob(jobId).status)).toEqual(['CANCELED', 'CANCELED']);
    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    expect(changes[1]).toMatchObject({
      failure: thrown,
      message: 'the driver failed: RangeError: no input for 2024-05-01; cancelling 2 jobs of the application',
    });
    expect(changes[2]).toMatchObject({
      failure: thrown,
      message: 'the driver failed: RangeError: no input for 2024-05-01',
    });
    expect(changes[1].sequence).toBeGreaterThan(sequenceOf(all, driver, 'FAILED'));
    expect(changes[2].sequence).toBeGreaterThan(
      Math.max(sequenceOf(all, normal, 'CANCELED'), sequenceOf(all, daemon, 'CANCELED')),
    );
    expect(dispatcher.getApplication('app-1')).toMatchObject({ status: 'FAILED', failure: thrown });
  });

  it('fails the application with a DriverLostError when the driver’s task executor is lost', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 2, slotsPerTaskExecutor: 1 });
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    const normal = await submitJob(dispatcher, 'app-1', 'NORMAL');
    await expect.poll(() => dispatcher.getJob(normal).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);
    expect(cluster.hostOf(driver)).not.toBe(cluster.hostOf(normal));

    cluster.lose(cluster.hostOf(driver)!, 'no heartbeat for 3012 ms (heartbeat timeout 2000 ms)');
    const events = await untilApplicationEnds(dispatcher, driver);

    expect(dispatcher.getJob(normal).status).toBe('CANCELED');
    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    const lost = `the driver was lost: task executor ${cluster.hostOf(driver)} was lost: no heartbeat for 3012 ms (heartbeat timeout 2000 ms)`;
    expect(changes[2].failure).toEqual({
      name: 'DriverLostError',
      message: lost,
      stack: '',
      cause: {
        name: 'TaskExecutorLostError',
        message: `task executor ${cluster.hostOf(driver)} was lost: no heartbeat for 3012 ms (heartbeat timeout 2000 ms)`,
        stack: '',
      },
    });
    expect(changes[2].message).toBe(lost);
  });

  it('cancels the application when its driver job is cancelled: every job CANCELED, then CANCELED', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    const normal = await submitJob(dispatcher, 'app-1', 'NORMAL');
    await expect.poll(() => dispatcher.getJob(normal).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

    dispatcher.cancelJob(driver);
    const events = await untilApplicationEnds(dispatcher, driver);
    const all = await allEvents(dispatcher);

    expect([driver, normal].map((jobId) => dispatcher.getJob(jobId).status)).toEqual(['CANCELED', 'CANCELED']);
    const changes = applicationChanges(events, 'app-1');
    expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'CANCELING', 'CANCELED']);
    expect(changes[1].message).toBe('the application was cancelled; cancelling 2 jobs of the application');
    expect(changes[2]).toMatchObject({ failure: undefined, message: 'the application was cancelled' });
    expect(changes[2].sequence).toBeGreaterThan(
      Math.max(sequenceOf(all, driver, 'CANCELED'), sequenceOf(all, normal, 'CANCELED')),
    );
  });

  it('cancels an application whose main() returned while its jobs run, by the driver job or by its id', async () => {
    for (const how of ['driver job', 'application id'] as const) {
      const { dispatcher, cluster } = testDispatcher();
      cluster.script = () => ({ outcome: 'hang' });
      const driver = await submitDriver(dispatcher, 'app-1');
      const normal = await submitJob(dispatcher, 'app-1', 'NORMAL');
      await expect.poll(() => dispatcher.getJob(normal).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);
      cluster.complete(driver, 'finish');
      await expect.poll(() => dispatcher.getJob(driver).status).toBe('FINISHED');

      if (how === 'driver job') expect(dispatcher.cancelJob(driver).status).toBe('FINISHED');
      else expect(dispatcher.cancelApplication('app-1').status).toBe('CANCELING');
      const changes = applicationChanges(await untilApplicationEnds(dispatcher, driver), 'app-1');
      expect(changes.map((change) => change.status)).toEqual(['RUNNING', 'CANCELING', 'CANCELED']);
      expect(dispatcher.getJob(normal).status).toBe('CANCELED');
    }
  });

  it('ends the application CANCELED when its driver job is cancelled by a cluster shutdown', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const driver = await submitDriver(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    await dispatcher.shutDownCluster('test');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('CANCELED');
    expect(
      applicationChanges(await allEvents(dispatcher), 'app-1').map((change) => [change.status, change.message]),
    ).toEqual([
      ['RUNNING', 'main() is running in task executor te-0'],
      ['CANCELING', 'the driver job was cancelled'],
      ['CANCELED', 'the driver job was cancelled'],
    ]);
    expect(dispatcher.getJob(driver).status).toBe('CANCELED');
  });

  it('keeps two applications on one cluster apart: one failing ends neither the other nor its jobs', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 3 });
    cluster.script = () => ({ outcome: 'hang' });
    const [driverA, driverB] = [await submitDriver(dispatcher, 'app-a'), await submitDriver(dispatcher, 'app-b')];
    const jobA = await submitJob(dispatcher, 'app-a', 'NORMAL', 'a: job');
    const jobB = await submitJob(dispatcher, 'app-b', 'NORMAL', 'b: job');
    await expect
      .poll(() => [jobA, jobB].map((jobId) => dispatcher.getJob(jobId).taskCounts))
      .toEqual([[{ state: 'RUNNING', count: 2 }], [{ state: 'RUNNING', count: 2 }]]);

    cluster.complete(driverA, 'fail');
    await untilApplicationEnds(dispatcher, driverA);
    expect(dispatcher.getApplication('app-a').status).toBe('FAILED');
    expect(dispatcher.getJob(jobA).status).toBe('CANCELED');
    expect(dispatcher.getApplication('app-b').status).toBe('RUNNING');
    expect([driverB, jobB].map((jobId) => dispatcher.getJob(jobId).status)).toEqual(['RUNNING', 'RUNNING']);

    cluster.complete(driverB, 'finish');
    await expect.poll(() => dispatcher.getJob(driverB).status).toBe('FINISHED');
    expect(dispatcher.getApplication('app-b').status).toBe('RUNNING');
    cluster.complete(jobB, 'finish');
    await untilApplicationEnds(dispatcher, driverB);
    expect(dispatcher.getApplication('app-b').status).toBe('FINISHED');
    const all = await allEvents(dispatcher);
    expect(applicationChanges(all, 'app-a').map((change) => change.status)).toEqual(['RUNNING', 'FAILING', 'FAILED']);
    expect(applicationChanges(all, 'app-b').map((change) => change.status)).toEqual(['RUNNING', 'FINISHED']);
  });

  it('counts jobs of the application submitted before its driver, and ignores jobs of other applications and of none', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 3 });
    cluster.script = () => ({ outcome: 'hang' });
    const early = await submitJob(dispatcher, 'app-1', 'NORMAL');
    const unrelated = await submitJob(dispatcher, '', 'NORMAL');
    const driver = await submitDriver(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    cluster.complete(driver, 'finish');
    await expect.poll(() => dispatcher.getJob(driver).status).toBe('FINISHED');
    expect(dispatcher.getApplication('app-1').status).toBe('RUNNING');
    cluster.complete(early, 'finish');
    await untilApplicationEnds(dispatcher, driver);
    expect(dispatcher.getApplication('app-1').status).toBe('FINISHED');
    expect(dispatcher.getJob(unrelated).status).toBe('RUNNING');
  });

  it('refuses a DRIVER job without an application, a second driver, and jobs of an application that has ended', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'finish' });
    await expect(
      dispatcher.submitJob({ graph: driverGraph(''), livingPriority: 'DRIVER', applicationId: '' }),
    ).rejects.toThrow(InvalidArgumentError);
    const driver = await submitDriver(dispatcher, 'app-1');
    await expect(submitDriver(dispatcher, 'app-1')).rejects.toThrow(
      new FailedPreconditionError(
        `application app-1 already has a driver job (${driver}); an application runs one driver`,
      ),
    );
    await untilApplicationEnds(dispatcher, driver);
    await expect(submitJob(dispatcher, 'app-1', 'NORMAL')).rejects.toThrow(
      new FailedPreconditionError('application app-1 is FINISHED and accepts no more jobs'),
    );
    expect(() => dispatcher.getApplication('app-2')).toThrow(NotFoundError);
    expect(() => dispatcher.cancelApplication('app-2')).toThrow(NotFoundError);
  });

  it('admits a later driver attempt once the earlier one’s application is over, which then runs the application anew', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const first = await submitDriver(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    cluster.complete(first, 'fail');
    await untilApplicationEnds(dispatcher, first);
    expect(dispatcher.getApplication('app-1').status).toBe('FAILED');
    const second = await submitDriver(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    expect(dispatcher.getApplication('app-1').driverJobId).toBe(second);
    cluster.complete(second, 'finish');
    await untilApplicationEnds(dispatcher, second);
    expect(dispatcher.getApplication('app-1').status).toBe('FINISHED');
  });

  it('keeps the driver job of a running application while forgetting the oldest ended jobs', async () => {
    const { dispatcher, cluster } = testDispatcher({ maxRetainedEndedJobs: 2 });
    cluster.script = (task) =>
      task.jobName.startsWith('etl: driver') || task.jobName === 'etl: long'
        ? { outcome: 'hang' }
        : { outcome: 'finish' };
    const driver = await submitDriver(dispatcher, 'app-1');
    const long = await submitJob(dispatcher, 'app-1', 'NORMAL', 'etl: long');
    await expect.poll(() => dispatcher.getJob(long).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);
    cluster.complete(driver, 'finish');
    await expect.poll(() => dispatcher.getJob(driver).status).toBe('FINISHED');
    for (let index = 0; index < 3; index++)
      await dispatcher.requestJobResult(await submitJob(dispatcher, '', 'NORMAL', `other ${index}`));
    expect(dispatcher.getJob(driver).status).toBe('FINISHED');
    cluster.complete(long, 'finish');
    await untilApplicationEnds(dispatcher, driver);
    // Once the application has ended, its driver job is the oldest ended job again, and goes first.
    await dispatcher.requestJobResult(await submitJob(dispatcher, '', 'NORMAL', 'other 3'));
    expect(dispatcher.size).toBe(2);
    expect(() => dispatcher.getJob(driver)).toThrow(NotFoundError);
    expect(() => dispatcher.getApplication('app-1')).toThrow(NotFoundError);
  });
});
