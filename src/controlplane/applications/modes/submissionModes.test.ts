import { describe, expect, it } from 'vitest';
import { ApplicationJobs } from '../../model/ApplicationJobs.js';
import { testApplication } from '../../testing/testState.js';
import { SUBMISSION_MODES, submissionModeOf } from './submissionModes.js';

const normalJob = (status: 'RUNNING' | 'FINISHED') =>
  ({ type: 'jobStatusChanged', jobId: 'job-1', jobName: 'job', status, livingPriority: 'NORMAL' }) as const;

describe('submission modes', () => {
  it('says where main() runs and whether each job gets a cluster, per mode', () => {
    const facts = Object.values(SUBMISSION_MODES).map((mode) => [mode.mode, mode.clientRunsMain, mode.clusterPerJob]);
    expect(facts).toEqual([
      ['SESSION', true, false],
      ['PER_JOB', true, true],
      ['APPLICATION', false, false],
      ['DRIVER', false, false],
    ]);
    expect(submissionModeOf({ mode: 'PER_JOB' })).toBe(SUBMISSION_MODES.PER_JOB);
  });

  it('refuses the requests of a client-side main() for applications whose main() runs in the cluster', () => {
    const driver = testApplication({ mode: 'DRIVER' });
    expect(() => submissionModeOf(driver).requireClientMain(driver, 'ClientHeartbeat')).toThrow(
      `application ${driver.id} runs in DRIVER mode: its main() runs in the cluster, and no client heartbeat is expected`,
    );
    const session = testApplication({ mode: 'SESSION' });
    expect(() => submissionModeOf(session).requireClientMain(session, 'SubmitJob')).not.toThrow();
  });

  it('ends a client-side application at once by what its jobs imply, and leaves a cluster-side one to its cluster', () => {
    const jobs = new ApplicationJobs();
    jobs.observe(normalJob('RUNNING'));
    const session = testApplication({ mode: 'SESSION', status: 'RUNNING' });
    expect(submissionModeOf(session).settle(session, jobs)).toBeUndefined();
    jobs.observe(normalJob('FINISHED'));
    jobs.clientMainEnded();
    expect(submissionModeOf(session).settle(session, jobs)).toMatchObject({ end: 'now', status: 'FINISHED' });
    const cancelling = testApplication({ mode: 'PER_JOB', status: 'CANCELING' });
    expect(submissionModeOf(cancelling).settle(cancelling, new ApplicationJobs())).toMatchObject({
      end: 'now',
      status: 'CANCELED',
    });
    const driver = testApplication({ mode: 'DRIVER', status: 'RUNNING' });
    expect(submissionModeOf(driver).settle(driver, jobs)).toEqual({ end: 'byCluster' });
  });
});
