import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError, UnavailableError } from '../common/errors.js';
import type { Dispatcher } from './Dispatcher.js';
import type { ApplicationMainSubmission } from './DispatcherRequests.js';
import type { DispatcherEventKind, JobEvent as LoggedJobEvent } from '../runtime/JobEvent.js';
import { FAKE_MAIN_BUNDLE, FakeMainHost } from './testing/FakeMainHost.js';
import { collectGraph, drain, driverGraph, testDispatcher } from './testing/testDispatcher.js';

/** An event of a Dispatcher's log. */
type JobEvent = LoggedJobEvent<DispatcherEventKind>;

/** A Dispatcher whose job manager runs main() in a fake host, on a fake cluster of 2 x 2 slots. */
function mainDispatcher() {
  const mainHost = new FakeMainHost();
  return { ...testDispatcher({ mainHost }), mainHost };
}

function mainOf(applicationId: string, overrides: Partial<ApplicationMainSubmission> = {}): ApplicationMainSubmission {
  return {
    applicationId,
    applicationName: 'etl',
    bundle: { artifactId: FAKE_MAIN_BUNDLE },
    entry: 'main.js#main',
    args: ['--top', '3'],
    defaultParallelism: 2,
    properties: { 'pipeline.name': 'etl' },
    resources: { cpus: 1, heapMemoryMb: 256, directMemoryMb: 0, nativeMemoryMb: 0 },
    ...overrides,
  };
}

/** The application status changes among `events`. */
function applicationChanges(events: JobEvent[]) {
  return events.flatMap((event) =>
    event.kind.type === 'applicationStatusChanged'
      ? [{ status: event.kind.status, failure: event.kind.failure, message: event.kind.message }]
      : [],
  );
}

/** Every event of the main job, followed until its application has ended. */
function untilApplicationEnds(dispatcher: Dispatcher, mainJobId: string): Promise<JobEvent[]> {
  return drain(dispatcher.watchJobEvents({ afterSequence: 0, jobId: mainJobId, follow: true }));
}

const submitJob = (dispatcher: Dispatcher, applicationId: string, livingPriority: 'NORMAL' | 'DAEMON' = 'NORMAL') =>
  dispatcher.submitJob({ graph: collectGraph('etl: job', { parallelism: 1 }), livingPriority, applicationId });

describe('Dispatcher.runApplicationMain (application mode)', () => {
  it('runs main() in the host as a DRIVER job without tasks: RUNNING in the job manager, FINISHED once main() returned and its jobs ended', async () => {
    const { dispatcher, cluster, mainHost } = mainDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const main = await dispatcher.runApplicationMain(mainOf('app-1'));
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('RUNNING');
    const [fake] = mainHost.mains;
    expect(fake.deployment).toMatchObject({
      jobId: main,
      allocationId: '',
      bundle: { artifactId: FAKE_MAIN_BUNDLE },
      jobmanagerAddress: 'jm:1',
      operators: [
        {
          kind: 'driver',
          applicationId: 'app-1',
          applicationName: 'etl',
          entry: 'main.js#main',
          args: ['--top', '3'],
          defaultParallelism: 2,
          properties: { 'pipeline.name': 'etl' },
        },
      ],
      resources: { cpus: 0, heapMemoryMb: 256 },
    });
    const job = await submitJob(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getJob(job).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

    fake.finish();
    await expect.poll(() => dispatcher.getJob(main).status).toBe('FINISHED');
    expect(dispatcher.getApplication('app-1').status).toBe('RUNNING');
    cluster.complete(job, 'finish');
    const events = await untilApplicationEnds(dispatcher, main);

    expect(dispatcher.getJob(main)).toMatchObject({
      name: 'etl: main',
      livingPriority: 'DRIVER',
      applicationId: 'app-1',
      status: 'FINISHED',
      taskCounts: [],
    });
    expect(events.some((event) => event.kind.type === 'taskStateChanged')).toBe(false);
    expect(events.flatMap((event) => (event.kind.type === 'jobStatusChanged' ? [event.kind.status] : []))).toEqual([
      'CREATED',
      'RUNNING',
      'FINISHED',
    ]);
    expect(applicationChanges(events).map((change) => [change.status, change.message])).toEqual([
      ['RUNNING', 'main() is running in the fake job manager'],
      ['FINISHED', 'main() returned and every job of the application ended (jobs: 1 FINISHED)'],
    ]);
    // Only the job main() submitted took slots.
    expect(cluster.deployed.map((task) => task.jobId)).toEqual([job, job]);
  });

  it('ends the application FAILED with what main() threw, cancelling its jobs', async () => {
    const { dispatcher, cluster, mainHost } = mainDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const main = await dispatcher.runApplicationMain(mainOf('app-1'));
    const job = await submitJob(dispatcher, 'app-1');
    await expect.poll(() => dispatcher.getJob(job).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

    const thrown = {
      name: 'Error',
      message: 'main() gave up on purpose',
      stack: 'Error: main() gave up on purpose\n    at main (main.js:9:9)',
    };
    mainHost.mains[0].fail(thrown);
    const events = await untilApplicationEnds(dispatcher, main);

    expect(dispatcher.getJob(job).status).toBe('CANCELED');
    expect(dispatcher.getJob(main)).toMatchObject({ status: 'FAILED', failure: thrown });
    expect(applicationChanges(events)).toEqual([
      { status: 'RUNNING', failure: undefined, message: 'main() is running in the fake job manager' },
      {
        status: 'FAILING',
        failure: thrown,
        message:
          'main() failed in the job manager: Error: main() gave up on purpose; cancelling 1 job of the application',
      },
      {
        status: 'FAILED',
        failure: thrown,
        message: 'main() failed in the job manager: Error: main() gave up on purpose',
      },
    ]);
  });

  it('stops main() and every job when the main job or the application is cancelled: CANCELED', async () => {
    for (const how of ['main job', 'application'] as const) {
      const { dispatcher, cluster, mainHost } = mainDispatcher();
      cluster.script = () => ({ outcome: 'hang' });
      const main = await dispatcher.runApplicationMain(mainOf('app-1'));
      const job = await submitJob(dispatcher, 'app-1');
      await expect.poll(() => dispatcher.getJob(job).taskCounts).toEqual([{ state: 'RUNNING', count: 2 }]);

      if (how === 'main job') dispatcher.cancelJob(main);
      else dispatcher.cancelApplication('app-1');
      const events = await untilApplicationEnds(dispatcher, main);

      expect(mainHost.mains[0].states.at(-1)).toBe('CANCELED');
      expect([main, job].map((jobId) => dispatcher.getJob(jobId).status)).toEqual(['CANCELED', 'CANCELED']);
      expect(applicationChanges(events).map((change) => change.status)).toEqual(['RUNNING', 'CANCELING', 'CANCELED']);
    }
  });

  it('ends the application CANCELED saying so when the main job is cancelled by a cluster shutdown', async () => {
    const { dispatcher, mainHost } = mainDispatcher();
    const main = await dispatcher.runApplicationMain(mainOf('app-1'));
    await expect.poll(() => mainHost.mains[0]?.running).toBe(true);
    await dispatcher.shutDownCluster('test');
    await expect.poll(() => dispatcher.getApplication('app-1').status).toBe('CANCELED');
    expect(
      applicationChanges(await untilApplicationEnds(dispatcher, main)).map((change) => [change.status, change.message]),
    ).toEqual([
      ['RUNNING', 'main() is running in the fake job manager'],
      ['CANCELING', 'the main job was cancelled'],
      ['CANCELED', 'the main job was cancelled'],
    ]);
    await expect(dispatcher.runApplicationMain(mainOf('app-2'))).rejects.toThrow(UnavailableError);
  });

  it('keeps what main() wrote as the main job’s output, complete once the job ended', async () => {
    const { dispatcher, mainHost } = mainDispatcher();
    const main = await dispatcher.runApplicationMain(mainOf('app-1'));
    await expect.poll(() => mainHost.mains[0]?.running).toBe(true);
    const fake = mainHost.mains[0];
    fake.write('stdout', 'to\t6\n');
    fake.write('stderr', 'a warning\n');
    fake.write('stdout', 'the\t3\n');
    fake.finish();
    const chunks = await drain(dispatcher.readJobOutput(main, 0, true));
    expect(chunks.map((chunk) => [chunk.stream, chunk.data.toString()])).toEqual([
      ['stdout', 'to\t6\n'],
      ['stderr', 'a warning\n'],
      ['stdout', 'the\t3\n'],
    ]);
  });

  it('answers a repeated request id with the first main job, and refuses the id for another submission', async () => {
    const { dispatcher, mainHost } = mainDispatcher();
    const first = await dispatcher.runApplicationMain(mainOf('app-1', { requestId: 'app-1/main' }));
    expect(await dispatcher.runApplicationMain(mainOf('app-1', { requestId: 'app-1/main' }))).toBe(first);
    expect(mainHost.mains).toHaveLength(1);
    await expect(dispatcher.runApplicationMain(mainOf('app-1', { requestId: 'app-1/main', args: [] }))).rejects.toThrow(
      AlreadyExistsError,
    );
  });

  it('refuses an unknown bundle, a second driver or main job of an application, and a job manager without a main host', async () => {
    const { dispatcher, cluster } = mainDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    await expect(
      dispatcher.runApplicationMain(mainOf('app-1', { bundle: { artifactId: 'b'.repeat(64) } })),
    ).rejects.toThrow(
      new NotFoundError(
        `bundle ${'b'.repeat(64)} is not in this cluster's blob server; upload it (UploadArtifact) before running its main()`,
      ),
    );
    const main = await dispatcher.runApplicationMain(mainOf('app-1'));
    await expect(dispatcher.runApplicationMain(mainOf('app-1'))).rejects.toThrow(
      new FailedPreconditionError(
        `application app-1 already has a driver job (${main}); an application runs one driver`,
      ),
    );
    await expect(
      dispatcher.submitJob({ graph: driverGraph('app-1'), livingPriority: 'DRIVER', applicationId: 'app-1' }),
    ).rejects.toThrow(FailedPreconditionError);

    const { dispatcher: withoutHost } = testDispatcher();
    await expect(withoutHost.runApplicationMain(mainOf('app-1'))).rejects.toThrow(FailedPreconditionError);
  });
});
