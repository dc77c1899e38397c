import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { silentLogger, testApplication, testCluster, testState } from '../testing/testState.js';
import type { Application } from '../model/Application.js';
import type { Cluster } from '../model/Cluster.js';
import { ApplicationLifecycle } from './ApplicationLifecycle.js';
import { ClusterEventRouter } from './ClusterEventRouter.js';
import { DriverAttempts } from './DriverAttempts.js';

async function setUp(statusGraceMs = 1000, overrides: Partial<Application> = {}) {
  const state = testState();
  const lifecycle = new ApplicationLifecycle({
    store: state.store,
    log: state.log,
    logger: silentLogger,
    publisher: { publish: async () => undefined },
  });
  const endedJobs: string[] = [];
  const launched: string[] = [];
  const router = new ClusterEventRouter({
    attempts: new DriverAttempts({
      store: state.store,
      lifecycle,
      logger: silentLogger,
      launch: (id) => launched.push(id),
    }),
    store: state.store,
    lifecycle,
    logger: silentLogger,
    statusGraceMs,
    publisher: {
      publish: async (event) => {
        if (event.type === 'jobEnded') endedJobs.push(event.jobId);
      },
    },
  });
  const application = testApplication(overrides);
  await state.applications.insert(application);
  const cluster = testCluster({ ownerApplicationId: application.id });
  await state.clusters.insert(cluster);
  await state.applications.update(application.id, { clusterId: cluster.id, ownsCluster: true });
  let sequence = 0;
  const event = (kind: ClusterJobEvent['kind'], applicationId = application.id): ClusterJobEvent => ({
    sequence: ++sequence,
    time: new Date(),
    applicationId,
    kind,
  });
  const kinds = async () => (await state.events.read(application.id, 0, 100)).map((stored) => stored.kind);
  const status = async () => (await state.applications.get(application.id)).status;
  // The cluster manager tells the router inside the unit of work that records what it was told.
  const jobEvent = (on: Cluster, jobEventOf: ClusterJobEvent) =>
    state.store.transaction((tx) => router.onJobEvent(tx, on, jobEventOf));
  const clusterStatus = (on: Cluster, message: string) =>
    state.store.transaction((tx) => router.onClusterStatus(tx, on, message));
  return { ...state, router, application, cluster, event, kinds, status, endedJobs, launched, jobEvent, clusterStatus };
}

/** A session application (main() in the client) RUNNING on a shared cluster. */
function setUpSession() {
  return setUp(60_000, {
    mode: 'SESSION',
    detached: false,
    status: 'RUNNING',
    target: { kind: 'jobmanager', address: 'localhost:6123' },
  });
}

const normalJob = (jobId: string, status: 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED') =>
  ({ type: 'jobStatusChanged', jobId, jobName: `app: ${jobId}`, status, livingPriority: 'NORMAL' }) as const;

const driverJob = (status: 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED') =>
  ({
    type: 'jobStatusChanged',
    jobId: 'job-driver',
    jobName: 'app: driver',
    status,
    livingPriority: 'DRIVER',
  }) as const;

afterEach(() => {
  vi.useRealTimers();
});

describe('ClusterEventRouter', () => {
  it('moves a deploying application to RUNNING when its driver job appears, then relays the job and task events', async () => {
    const { jobEvent, cluster, event, kinds, status, applications, application } = await setUp();
    await jobEvent(cluster, event(driverJob('CREATED')));
    await jobEvent(
      cluster,
      event({
        type: 'taskStateChanged',
        jobId: 'job-driver',
        vertexId: 'driver',
        vertexName: 'Driver',
        subtaskIndex: 0,
        attemptNumber: 0,
        state: 'SCHEDULED',
        taskExecutorId: '',
      }),
    );
    await jobEvent(
      cluster,
      event({
        type: 'jobStatusChanged',
        jobId: 'job-2',
        jobName: 'app: wordcount',
        status: 'CREATED',
        livingPriority: 'NORMAL',
      }),
    );
    expect(await status()).toBe('RUNNING');
    expect((await kinds()).map((kind) => kind.type)).toEqual([
      'applicationStatusChanged',
      'jobStatusChanged',
      'taskStateChanged',
      'jobStatusChanged',
    ]);
    expect(await applications.get(application.id)).toMatchObject({ driverJobId: 'job-driver', jobIds: ['job-2'] });
  });

  it('takes the cluster’s own verdict on the application, with its failure', async () => {
    const { jobEvent, cluster, event, status, applications, application } = await setUp();
    await jobEvent(cluster, event(driverJob('CREATED')));
    const failure = { name: 'RangeError', message: 'main() threw', stack: 'at main (main.js:3)' };
    await jobEvent(
      cluster,
      event({ type: 'applicationStatusChanged', status: 'FAILED', failure, message: 'the driver failed' }),
    );
    expect(await status()).toBe('FAILED');
    expect((await applications.get(application.id)).failure).toEqual(failure);
  });

  it('ignores events of other applications and of applications on another cluster', async () => {
    const { jobEvent, cluster, event, kinds, applications } = await setUp();
    const other = testApplication({ status: 'RUNNING' });
    await applications.insert(other);
    await jobEvent(cluster, event(driverJob('CREATED'), other.id));
    await jobEvent(cluster, event(driverJob('CREATED'), 'app-of-another-control-plane'));
    await jobEvent(cluster, event(undefined));
    expect(await kinds()).toEqual([]);
    expect((await applications.get(other.id)).lastEventSequence).toBe(0);
  });

  it('applies the status the jobs imply when the cluster reports none within the grace period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { jobEvent, cluster, event, status } = await setUp(1000);
    await jobEvent(cluster, event(driverJob('CREATED')));
    await jobEvent(cluster, event(driverJob('FINISHED')));
    expect(await status()).toBe('RUNNING');
    vi.advanceTimersByTime(1000);
    await vi.waitFor(async () => expect(await status()).toBe('FINISHED'));
  });

  it('lets the cluster’s report win over the implied status', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { jobEvent, cluster, event, status } = await setUp(1000);
    await jobEvent(cluster, event(driverJob('CREATED')));
    await jobEvent(cluster, event(driverJob('FINISHED')));
    await jobEvent(
      cluster,
      event({
        type: 'applicationStatusChanged',
        status: 'FAILED',
        message: 'a job main() waited for failed',
        failure: { name: 'JobExecutionError', message: 'x', stack: '' },
      }),
    );
    vi.advanceTimersByTime(1000);
    expect(await status()).toBe('FAILED');
  });

  it('puts an owned cluster’s progress into its application’s log', async () => {
    const { clusterStatus, cluster, kinds } = await setUp();
    await clusterStatus(
      { ...cluster, status: 'RUNNING', registeredTaskExecutors: 1 },
      '1 of 1 task executors registered',
    );
    expect(await kinds()).toEqual([
      {
        type: 'clusterStatusChanged',
        clusterId: cluster.id,
        status: 'RUNNING',
        message: '1 of 1 task executors registered',
        jobmanagerAddress: cluster.jobmanagerAddress,
        // How far the deployment came, for a watcher's "ready 1/1".
        registeredTaskExecutors: 1,
        taskExecutors: cluster.spec.taskExecutors,
      },
    ]);
  });

  it('ends the applications of a lost cluster FAILED with a cause naming the loss, or CANCELED when cancelling', async () => {
    const { router, cluster, status, applications, application } = await setUp();
    await router.onClusterGone(cluster, { lost: true, reason: 'its job manager exited with code 1' });
    expect(await status()).toBe('FAILED');
    expect((await applications.get(application.id)).failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(`cluster ${cluster.id} was lost: its job manager exited with code 1`),
    });

    const cancelling = await setUp();
    await cancelling.applications.update(cancelling.application.id, { status: 'CANCELING' });
    await cancelling.router.onClusterGone(cancelling.cluster, { lost: true, reason: 'unreachable' });
    expect(await cancelling.status()).toBe('CANCELED');
  });

  it('ends the applications of a lost cluster with what their jobs imply when they all ended', async () => {
    const { router, jobEvent, cluster, event, status } = await setUp();
    await jobEvent(cluster, event(driverJob('CREATED')));
    await jobEvent(cluster, event(driverJob('FINISHED')));
    await router.onClusterGone(cluster, { lost: true, reason: 'its job manager exited with code 0' });
    expect(await status()).toBe('FINISHED');
  });

  it('records each job with its cluster, last status, failure and restarts', async () => {
    const { jobEvent, cluster, event, jobs, endedJobs, application } = await setUp();
    await jobEvent(cluster, event(normalJob('job-1', 'CREATED')));
    await jobEvent(cluster, event({ ...normalJob('job-1', 'RUNNING') }));
    await jobEvent(
      cluster,
      event({
        type: 'jobStatusChanged',
        jobId: 'job-1',
        jobName: 'app: job-1',
        status: 'RESTARTING',
        livingPriority: 'NORMAL',
      }),
    );
    const failure = { name: 'RangeError', message: 'bad record', stack: '' };
    await jobEvent(cluster, event({ ...normalJob('job-1', 'FAILED'), failure }));
    await jobEvent(cluster, event(normalJob('job-1', 'RUNNING')));
    expect(await jobs.get('job-1')).toMatchObject({
      applicationId: application.id,
      clusterId: cluster.id,
      name: 'app: job-1',
      status: 'FAILED',
      restarts: 1,
      failure,
    });
    expect(endedJobs).toEqual(['job-1']);
  });

  it('ends a session application as soon as its client main() ended and its jobs did, with the outcome main() decides', async () => {
    const { router, jobEvent, cluster, event, status, applications, application } = await setUpSession();
    await jobEvent(cluster, event(normalJob('job-1', 'CREATED')));
    await jobEvent(cluster, event(normalJob('job-1', 'FINISHED')));
    await jobEvent(cluster, event(normalJob('job-2', 'RUNNING')));
    expect(await status()).toBe('RUNNING');
    await applications.update(application.id, { clientMainEndTime: new Date() });
    await router.clientMainEnded(application.id, undefined);
    expect(await status()).toBe('RUNNING');
    await jobEvent(cluster, event(normalJob('job-2', 'FAILED')));
    expect(await status()).toBe('FINISHED');
    expect((await applications.get(application.id)).failure).toBeUndefined();

    const failing = await setUpSession();
    const thrown = { name: 'Error', message: 'main() threw', stack: '' };
    await failing.router.clientMainEnded(failing.application.id, thrown);
    expect(await failing.status()).toBe('FAILED');
    expect((await failing.applications.get(failing.application.id)).failure).toEqual(thrown);
  });

  it('ends a cancelled session application CANCELED once its jobs ended', async () => {
    const { router, jobEvent, cluster, event, status, applications, application } = await setUpSession();
    await jobEvent(cluster, event(normalJob('job-1', 'RUNNING')));
    await applications.update(application.id, { status: 'CANCELING' });
    await router.settle(application.id);
    expect(await status()).toBe('CANCELING');
    await jobEvent(cluster, event(normalJob('job-1', 'CANCELED')));
    expect(await status()).toBe('CANCELED');
  });

  it('fails only the job of a lost per-job cluster; the application goes on', async () => {
    const state = await setUp(60_000, { mode: 'PER_JOB', detached: false, status: 'RUNNING' });
    const { router, jobEvent, event, status, applications, application, clusters, jobs } = state;
    await applications.update(application.id, { clusterId: '', ownsCluster: false });
    const jobCluster = testCluster({ ownerApplicationId: application.id });
    await clusters.insert(jobCluster);
    await jobEvent(jobCluster, event(normalJob('job-1', 'RUNNING')));
    await router.onClusterGone(jobCluster, { lost: true, reason: 'its job manager exited with code 137' });
    expect(await jobs.get('job-1')).toMatchObject({ status: 'FAILED', failure: { name: 'ClusterLostError' } });
    expect(await status()).toBe('RUNNING');
  });

  describe('driver attempts', () => {
    const lost = (driverJobId: string, status: 'FAILING' | 'FAILED') =>
      ({
        type: 'applicationStatusChanged',
        status,
        failure: { name: 'DriverLostError', message: 'the driver was lost: te-1 lost', stack: '' },
        message: 'the driver was lost',
        driverJobId,
      }) as const;
    const driver = (jobId: string, status: 'RUNNING' | 'FAILED') =>
      ({ type: 'jobStatusChanged', jobId, jobName: 'app: driver', status, livingPriority: 'DRIVER' }) as const;

    it('starts the next attempt when the driver is lost while attempts remain, and ends FAILED with every cause once they are used up', async () => {
      const { jobEvent, cluster, event, status, applications, application, launched } = await setUp(60_000, {
        driverAttempts: 2,
      });
      await jobEvent(cluster, event(driver('d1', 'RUNNING')));
      await jobEvent(cluster, event(driver('d1', 'FAILED')));
      await jobEvent(cluster, event(lost('d1', 'FAILING')));
      expect(launched).toEqual([]);
      await jobEvent(cluster, event(lost('d1', 'FAILED')));
      expect(await status()).toBe('RUNNING');
      expect(launched).toEqual([application.id]);
      let recorded = await applications.get(application.id);
      expect(recorded.driverJobId).toBe('');
      expect(recorded.attempts).toMatchObject([
        { number: 1, driverJobId: 'd1', category: 'INFRASTRUCTURE', cause: { name: 'DriverLostError' } },
        { number: 2, driverJobId: '' },
      ]);
      // A repeated verdict of the first attempt changes nothing.
      await jobEvent(cluster, event(lost('d1', 'FAILED')));
      expect(launched).toHaveLength(1);

      await jobEvent(cluster, event(driver('d2', 'RUNNING')));
      recorded = await applications.get(application.id);
      expect(recorded.driverJobId).toBe('d2');
      expect(recorded.attempts[1]).toMatchObject({ number: 2, driverJobId: 'd2', clusterId: cluster.id });
      await jobEvent(cluster, event(driver('d2', 'FAILED')));
      await jobEvent(cluster, event(lost('d2', 'FAILED')));
      recorded = await applications.get(application.id);
      expect(recorded.status).toBe('FAILED');
      expect(recorded.failure?.name).toBe('DriverLostError');
      expect(recorded.attempts).toMatchObject([
        { number: 1, category: 'INFRASTRUCTURE', cause: { name: 'DriverLostError' } },
        { number: 2, category: 'INFRASTRUCTURE', cause: { name: 'DriverLostError' } },
      ]);
      expect(launched).toHaveLength(1);
    });

    it('does not retry a driver that failed by its own doing, nor one with a single attempt', async () => {
      const own = await setUp(60_000, { driverAttempts: 3 });
      await own.jobEvent(own.cluster, own.event(driver('d1', 'RUNNING')));
      await own.jobEvent(
        own.cluster,
        own.event({
          type: 'applicationStatusChanged',
          status: 'FAILED',
          failure: { name: 'RangeError', message: 'main() threw', stack: '' },
          message: 'the driver failed',
          driverJobId: 'd1',
        }),
      );
      expect(await own.status()).toBe('FAILED');
      expect(own.launched).toEqual([]);

      const single = await setUp(60_000);
      await single.jobEvent(single.cluster, single.event(driver('d1', 'RUNNING')));
      await single.jobEvent(single.cluster, single.event(lost('d1', 'FAILED')));
      expect(await single.status()).toBe('FAILED');
      expect((await single.applications.get(single.application.id)).attempts).toEqual([]);
      expect(single.launched).toEqual([]);
    });

    it('starts the next attempt on a new cluster when its owned cluster is lost', async () => {
      const { router, jobEvent, cluster, event, status, applications, application, launched } = await setUp(60_000, {
        driverAttempts: 2,
      });
      await jobEvent(cluster, event(driver('d1', 'RUNNING')));
      await router.onClusterGone(cluster, { lost: true, reason: 'its job manager exited' });
      expect(await status()).toBe('RUNNING');
      expect(launched).toEqual([application.id]);
      expect((await applications.get(application.id)).attempts[0]).toMatchObject({
        cause: { name: 'ClusterLostError' },
        category: 'INFRASTRUCTURE',
      });
    });
  });
});
