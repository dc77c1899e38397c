import { describe, expect, it } from 'vitest';
import type { ApplicationEvent } from '../../../generated/flotilla/v1/events.js';
import { DriverReplayKind } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { FollowProgress, formatElapsed } from './followProgress.js';

const event = (kind: ApplicationEvent['kind']): ApplicationEvent => ({
  applicationId: 'app-1',
  sequence: 1n,
  time: new Date(),
  kind,
});
const application = (status: ApplicationStatus) =>
  event({
    $case: 'applicationStatusChanged',
    applicationStatusChanged: { status, failure: undefined, message: '', driverJobId: '' },
  });
const cluster = (status: ClusterStatus, registeredTaskExecutors: number, taskExecutors: number) =>
  event({
    $case: 'clusterStatusChanged',
    clusterStatusChanged: {
      clusterId: 'c',
      status,
      message: '',
      jobmanagerAddress: '',
      registeredTaskExecutors,
      taskExecutors,
    },
  });
const job = (jobId: string, status: JobStatus) =>
  event({
    $case: 'jobStatusChanged',
    jobStatusChanged: {
      jobId,
      jobName: jobId,
      status,
      failure: undefined,
      livingPriority: LivingPriority.NORMAL,
      driverOrdinal: 0,
      fingerprint: '',
      replay: DriverReplayKind.UNSPECIFIED,
      replayedAttempt: 0,
      driverAttempt: 0,
    },
  });

describe('FollowProgress', () => {
  it("says the application's status, its cluster's readiness while it deploys and the jobs running", () => {
    const progress = new FollowProgress('app-1');
    expect(progress.describe()).toMatch(/^following app-1 · \d+\.\ds$/);
    progress.observe(application(ApplicationStatus.DEPLOYING));
    progress.observe(cluster(ClusterStatus.DEPLOYING, 1, 2));
    expect(progress.describe()).toMatch(/^application DEPLOYING · cluster ready 1\/2 task executors · \d+\.\ds$/);
    progress.observe(cluster(ClusterStatus.RUNNING, 2, 2));
    progress.observe(application(ApplicationStatus.RUNNING));
    progress.observe(job('a', JobStatus.RUNNING));
    progress.observe(job('b', JobStatus.CREATED));
    expect(progress.describe()).toMatch(/^application RUNNING · 2 jobs running · /);
    progress.observe(job('a', JobStatus.FINISHED));
    expect(progress.describe()).toMatch(/^application RUNNING · 1 job running · /);
  });

  it('shows no readiness for a deploying cluster whose events predate the counts (0 of 0)', () => {
    const progress = new FollowProgress('app-1');
    progress.observe(cluster(ClusterStatus.DEPLOYING, 0, 0));
    expect(progress.describe()).toMatch(/^following app-1 · /);
  });
});

describe('formatElapsed', () => {
  it('writes tenths under a minute, then minutes and seconds, then hours and minutes', () => {
    expect(formatElapsed(4200)).toBe('4.2s');
    expect(formatElapsed(187_000)).toBe('3m07s');
    expect(formatElapsed(3_720_000)).toBe('1h02m');
    expect(formatElapsed(-5)).toBe('0.0s');
  });
});
