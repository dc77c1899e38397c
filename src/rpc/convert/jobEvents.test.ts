import { describe, expect, it } from 'vitest';
import { JobEvent as JobEventMessage } from '../../../generated/flotilla/v1/events.js';
import { ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { jobEventToMessage } from './jobEvents.js';

const time = new Date('2024-05-01T10:00:00.123Z');

describe('job event conversion', () => {
  it('converts a job status change with its sequences as 64-bit numbers', () => {
    const message = jobEventToMessage({
      sequence: 2 ** 40,
      jobSequence: 3,
      time,
      applicationId: 'app-1',
      jobId: 'job-1',
      kind: { type: 'jobStatusChanged', jobId: 'job-1', jobName: 'etl', status: 'RESTARTING', failure: { name: 'Error', message: 'boom', stack: 'at x' }, livingPriority: 'DRIVER' },
    });
    const decoded = JobEventMessage.decode(JobEventMessage.encode(message).finish());
    expect(decoded.sequence).toBe(2n ** 40n);
    expect(decoded.jobSequence).toBe(3n);
    expect(decoded.time).toEqual(time);
    expect(decoded.applicationId).toBe('app-1');
    expect(decoded.kind).toEqual({
      $case: 'jobStatusChanged',
      jobStatusChanged: { jobId: 'job-1', jobName: 'etl', status: JobStatus.RESTARTING, failure: { name: 'Error', message: 'boom', stack: 'at x', cause: undefined }, livingPriority: LivingPriority.DRIVER },
    });
  });

  it('converts a task state change with where it ran', () => {
    const message = jobEventToMessage({
      sequence: 7,
      jobSequence: 5,
      time,
      applicationId: '',
      jobId: 'job-1',
      kind: { type: 'taskStateChanged', jobId: 'job-1', vertexId: 'v2', vertexName: 'Map -> Sink: collect', subtaskIndex: 1, attemptNumber: 2, state: 'RUNNING', taskExecutorId: 'te-1' },
    });
    const decoded = JobEventMessage.decode(JobEventMessage.encode(message).finish());
    expect(decoded.kind).toEqual({
      $case: 'taskStateChanged',
      taskStateChanged: { jobId: 'job-1', vertexId: 'v2', vertexName: 'Map -> Sink: collect', subtaskIndex: 1, attemptNumber: 2, state: ExecutionState.RUNNING, failure: undefined, taskExecutorId: 'te-1' },
    });
  });
});
