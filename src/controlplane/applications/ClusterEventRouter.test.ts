import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { silentLogger, testApplication, testCluster, testState } from '../testing/testState.js';
import type { Application } from '../model/Application.js';
import { ApplicationLifecycle } from './ApplicationLifecycle.js';
import { ClusterEventRouter } from './ClusterEventRouter.js';

function setUp(statusGraceMs = 1000, overrides: Partial<Application> = {}) {
  const state = testState();
  const lifecycle = new ApplicationLifecycle({
    db: state.db,
    applications: state.applications,
    log: state.log,
    logger: silentLogger,
    publisher: { publish: () => undefined },
  });
  const endedJobs: string[] = [];
  const router = new ClusterEventRouter({
    applications: state.applications,
    events: state.events,
    lifecycle,
    jobs: state.jobs,
    logger: silentLogger,
    statusGraceMs,
    publisher: {
      publish: (event) => {
        if (event.type === 'jobEnded') endedJobs.push(event.jobId);
      },
    },
  });
  const application = testApplication(overrides);
  state.applications.insert(application);
  const cluster = testCluster({ ownerApplicationId: application.id });
  state.clusters.insert(cluster);
  state.applications.update(application.id, { clusterId: cluster.id, ownsCluster: true });
  let sequence = 0;
  const event = (kind: ClusterJobEvent['kind'], applicationId = application.id): ClusterJobEvent => ({
    sequence: ++sequence,
    time: new Date(),
    applicationId,
    kind,
  });
  const kinds = () => state.events.read(application.id, 0, 100).map((stored) => stored.kind);
  const status = () => state.applications.get(application.id).status;
  return { ...state, router, application, cluster, event, kinds, status, endedJobs };
}

/** A session application (main() in the client) RUNNING on a shared cluster. */
function setUpSession() {
  const state = setUp(60_000, {
    mode: 'SESSION',
    detached: false,
    status: 'RUNNING',
    target: { kind: 'jobmanager', address: 'localhost:6123' },
  });
  return state;
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
  it('moves a deploying application to RUNNING when its driver job appears, then relays the job and task events', () => {
    const { router, cluster, event, kinds, status, applications, application } = setUp();
    router.onJobEvent(cluster, event(driverJob('CREATED')));
    router.onJobEvent(
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
    router.onJobEvent(
      cluster,
      event({
        type: 'jobStatusChanged',
        jobId: 'job-2',
        jobName: 'app: wordcount',
        status: 'CREATED',
        livingPriority: 'NORMAL',
      }),
    );
    expect(status()).toBe('RUNNING');
    expect(kinds().map((kind) => kind.type)).toEqual([
      'applicationStatusChanged',
      'jobStatusChanged',
      'taskStateChanged',
      'jobStatusChanged',
    ]);
    expect(applications.get(application.id)).toMatchObject({ driverJobId: 'job-driver', jobIds: ['job-2'] });
  });

  it('takes the cluster’s own verdict on the application, with its failure', () => {
    const { router, cluster, event, status, applications, application } = setUp();
    router.onJobEvent(cluster, event(driverJob('CREATED')));
    const failure = { name: 'RangeError', message: 'main() threw', stack: 'at main (main.js:3)' };
    router.onJobEvent(
      cluster,
      event({ type: 'applicationStatusChanged', status: 'FAILED', failure, message: 'the driver failed' }),
    );
    expect(status()).toBe('FAILED');
    expect(applications.get(application.id).failure).toEqual(failure);
  });

  it('ignores events of other applications and of applications on another cluster', () => {
    const { router, cluster, event, kinds, applications } = setUp();
    const other = testApplication({ status: 'RUNNING' });
    applications.insert(other);
    router.onJobEvent(cluster, event(driverJob('CREATED'), other.id));
    router.onJobEvent(cluster, event(driverJob('CREATED'), 'app-of-another-control-plane'));
    router.onJobEvent(cluster, event(undefined));
    expect(kinds()).toEqual([]);
    expect(applications.get(other.id).lastEventSequence).toBe(0);
  });

  it('applies the status the jobs imply when the cluster reports none within the grace period', () => {
    vi.useFakeTimers();
    const { router, cluster, event, status } = setUp(1000);
    router.onJobEvent(cluster, event(driverJob('CREATED')));
    router.onJobEvent(cluster, event(driverJob('FINISHED')));
    expect(status()).toBe('RUNNING');
    vi.advanceTimersByTime(1000);
    expect(status()).toBe('FINISHED');
  });

  it('lets the cluster’s report win over the implied status', () => {
    vi.useFakeTimers();
    const { router, cluster, event, status } = setUp(1000);
    router.onJobEvent(cluster, event(driverJob('CREATED')));
    router.onJobEvent(cluster, event(driverJob('FINISHED')));
    router.onJobEvent(
      cluster,
      event({
        type: 'applicationStatusChanged',
        status: 'FAILED',
        message: 'a job main() waited for failed',
        failure: { name: 'JobExecutionError', message: 'x', stack: '' },
      }),
    );
    vi.advanceTimersByTime(1000);
    expect(status()).toBe('FAILED');
  });

  it('puts an owned cluster’s progress into its application’s log', () => {
    const { router, cluster, kinds } = setUp();
    router.onClusterStatus({ ...cluster, status: 'RUNNING' }, '1 of 1 task executors registered');
    expect(kinds()).toEqual([
      {
        type: 'clusterStatusChanged',
        clusterId: cluster.id,
        status: 'RUNNING',
        message: '1 of 1 task executors registered',
        jobmanagerAddress: cluster.jobmanagerAddress,
      },
    ]);
  });

  it('ends the applications of a lost cluster FAILED with a cause naming the loss, or CANCELED when cancelling', () => {
    const { router, cluster, status, applications, application } = setUp();
    router.onClusterGone(cluster, { lost: true, reason: 'its job manager exited with code 1' });
    expect(status()).toBe('FAILED');
    expect(applications.get(application.id).failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(`cluster ${cluster.id} was lost: its job manager exited with code 1`),
    });

    const cancelling = setUp();
    cancelling.applications.update(cancelling.application.id, { status: 'CANCELING' });
    cancelling.router.onClusterGone(cancelling.cluster, { lost: true, reason: 'unreachable' });
    expect(cancelling.status()).toBe('CANCELED');
  });

  it('ends the applications of a lost cluster with what their jobs imply when they all ended', () => {
    const { router, cluster, event, status } = setUp();
    router.onJobEvent(cluster, event(driverJob('CREATED')));
    router.onJobEvent(cluster, event(driverJob('FINISHED')));
    router.onClusterGone(cluster, { lost: true, reason: 'its job manager exited with code 0' });
    expect(status()).toBe('FINISHED');
  });

  it('records each job with its cluster, last status, failure and restarts', () => {
    const { router, cluster, event, jobs, endedJobs, application } = setUp();
    router.onJobEvent(cluster, event(normalJob('job-1', 'CREATED')));
    router.onJobEvent(cluster, event({ ...normalJob('job-1', 'RUNNING') }));
    router.onJobEvent(
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
    router.onJobEvent(cluster, event({ ...normalJob('job-1', 'FAILED'), failure }));
    router.onJobEvent(cluster, event(normalJob('job-1', 'RUNNING')));
    expect(jobs.get('job-1')).toMatchObject({
      applicationId: application.id,
      clusterId: cluster.id,
      name: 'app: job-1',
      status: 'FAILED',
      restarts: 1,
      failure,
    });
    expect(endedJobs).toEqual(['job-1']);
  });

  it('ends a session application as soon as its client main() ended and its jobs did, with the outcome main() decides', () => {
    const { router, cluster, event, status, applications, application } = setUpSession();
    router.onJobEvent(cluster, event(normalJob('job-1', 'CREATED')));
    router.onJobEvent(cluster, event(normalJob('job-1', 'FINISHED')));
    router.onJobEvent(cluster, event(normalJob('job-2', 'RUNNING')));
    expect(status()).toBe('RUNNING');
    applications.update(application.id, { clientMainEndTime: new Date() });
    router.clientMainEnded(application.id, undefined);
    expect(status()).toBe('RUNNING');
    router.onJobEvent(cluster, event(normalJob('job-2', 'FAILED')));
    expect(status()).toBe('FINISHED');
    expect(applications.get(application.id).failure).toBeUndefined();

    const failing = setUpSession();
    const thrown = { name: 'Error', message: 'main() threw', stack: '' };
    failing.router.clientMainEnded(failing.application.id, thrown);
    expect(failing.status()).toBe('FAILED');
    expect(failing.applications.get(failing.application.id).failure).toEqual(thrown);
  });

  it('ends a cancelled session application CANCELED once its jobs ended', () => {
    const { router, cluster, event, status, applications, application } = setUpSession();
    router.onJobEvent(cluster, event(normalJob('job-1', 'RUNNING')));
    applications.update(application.id, { status: 'CANCELING' });
    router.settle(application.id);
    expect(status()).toBe('CANCELING');
    router.onJobEvent(cluster, event(normalJob('job-1', 'CANCELED')));
    expect(status()).toBe('CANCELED');
  });

  it('fails only the job of a lost per-job cluster; the application goes on', () => {
    const state = setUp(60_000, { mode: 'PER_JOB', detached: false, status: 'RUNNING' });
    const { router, event, status, applications, application, clusters, jobs } = state;
    applications.update(application.id, { clusterId: '', ownsCluster: false });
    const jobCluster = testCluster({ ownerApplicationId: application.id });
    clusters.insert(jobCluster);
    router.onJobEvent(jobCluster, event(normalJob('job-1', 'RUNNING')));
    router.onClusterGone(jobCluster, { lost: true, reason: 'its job manager exited with code 137' });
    expect(jobs.get('job-1')).toMatchObject({ status: 'FAILED', failure: { name: 'ClusterLostError' } });
    expect(status()).toBe('RUNNING');
  });
});
