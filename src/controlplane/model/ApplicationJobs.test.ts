import { describe, expect, it } from 'vitest';
import type { JobStatus, LivingPriority } from '../../common/status.js';
import type { JobStatusChanged } from './ApplicationEvent.js';
import { ApplicationJobs } from './ApplicationJobs.js';

const job = (
  jobId: string,
  status: JobStatus,
  livingPriority: LivingPriority = 'NORMAL',
  message?: string,
): JobStatusChanged => ({
  type: 'jobStatusChanged',
  jobId,
  jobName: jobId,
  status,
  livingPriority,
  failure: message ? { name: 'RangeError', message, stack: 'at main' } : undefined,
});

describe('ApplicationJobs', () => {
  it('implies nothing until the driver and every DRIVER or NORMAL job have ended', () => {
    const jobs = new ApplicationJobs();
    expect(jobs.impliedOutcome()).toBeUndefined();
    jobs.observe(job('driver', 'RUNNING', 'DRIVER'));
    jobs.observe(job('j1', 'RUNNING'));
    jobs.observe(job('d1', 'RUNNING', 'DAEMON'));
    jobs.observe(job('driver', 'FINISHED', 'DRIVER'));
    // main() returned while an executeAsync() job still runs: the application goes on (FLIP-40 rule 4).
    expect(jobs.impliedOutcome()).toBeUndefined();
    jobs.observe(job('j1', 'FINISHED'));
    // Daemon jobs never keep an application alive.
    expect(jobs.impliedOutcome()).toMatchObject({ status: 'FINISHED' });
  });

  it('a failed driver implies FAILED with its failure; a cancelled one CANCELED', () => {
    const failed = new ApplicationJobs();
    failed.observe(job('driver', 'FAILED', 'DRIVER', 'main() threw'));
    expect(failed.impliedOutcome()).toEqual({
      status: 'FAILED',
      driverJobId: 'driver',
      failure: { name: 'RangeError', message: 'main() threw', stack: 'at main' },
      message: 'the driver job driver failed: main() threw',
    });
    const cancelled = new ApplicationJobs();
    cancelled.observe(job('driver', 'CANCELED', 'DRIVER'));
    expect(cancelled.impliedOutcome()).toMatchObject({ status: 'CANCELED' });
  });

  it('keeps a terminal status against late, out-of-date events', () => {
    const jobs = new ApplicationJobs();
    jobs.observe(job('driver', 'FINISHED', 'DRIVER'));
    jobs.observe(job('driver', 'RUNNING', 'DRIVER'));
    expect(jobs.driver?.status).toBe('FINISHED');
  });
});
