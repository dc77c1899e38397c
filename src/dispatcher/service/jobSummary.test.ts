import { describe, expect, it } from 'vitest';
import { JobSummary as JobSummaryMessage } from '../../../generated/flotilla/v1/resources.js';
import { ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import type { JobSummary } from '../JobSummary.js';
import { jobSummaryToMessage } from './jobSummary.js';

describe('job summary conversion', () => {
  const failed: JobSummary = {
    id: 'job-1',
    name: 'word count',
    status: 'FAILED',
    livingPriority: 'DAEMON',
    applicationId: 'app-1',
    clusterId: 'cluster-1',
    submitTime: new Date('2024-05-01T10:00:00.000Z'),
    endTime: new Date('2024-05-01T10:00:02.500Z'),
    failure: { name: 'ResourceExhaustedError', message: 'no slot with 1 cpu', stack: '' },
    restarts: 2,
    taskCounts: [
      { state: 'CANCELED', count: 3 },
      { state: 'FAILED', count: 1 },
    ],
  };

  it('maps every field, and survives the wire with its times and counts', () => {
    const message = jobSummaryToMessage(failed);
    expect(message).toMatchObject({
      status: JobStatus.FAILED,
      livingPriority: LivingPriority.DAEMON,
      restarts: 2,
      taskCounts: [
        { state: ExecutionState.CANCELED, count: 3 },
        { state: ExecutionState.FAILED, count: 1 },
      ],
    });
    const decoded = JobSummaryMessage.decode(JobSummaryMessage.encode(message).finish());
    expect(decoded.submitTime).toEqual(failed.submitTime);
    expect(decoded.endTime).toEqual(failed.endTime);
    expect(decoded.failure).toMatchObject({ name: 'ResourceExhaustedError', message: 'no slot with 1 cpu' });
    expect(decoded.applicationId).toBe('app-1');
  });

  it('leaves end time and failure unset for a running job', () => {
    const running = jobSummaryToMessage({ ...failed, status: 'RUNNING', endTime: undefined, failure: undefined });
    const decoded = JobSummaryMessage.decode(JobSummaryMessage.encode(running).finish());
    expect(decoded.endTime).toBeUndefined();
    expect(decoded.failure).toBeUndefined();
    expect(decoded.status).toBe(JobStatus.RUNNING);
  });
});
