import { describe, expect, it } from 'vitest';
import { DriverReplayKind, JobEvent as JobEventMessage } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { driverSubmissionFromMessage, jobEventToMessage, jobStatusChangedToMessage } from './jobEvents.js';
import { applicationStatusToMessage } from '../../rpc/convert/status.js';

const time = new Date('2024-05-01T10:00:00.123Z');

describe('job event conversion', () => {
  it('converts a job status change with its sequences as 64-bit numbers', () => {
    const message = jobEventToMessage({
      sequence: 2 ** 40,
      jobSequence: 3,
      time,
      applicationId: 'app-1',
      jobId: 'job-1',
      kind: {
        type: 'jobStatusChanged',
        jobId: 'job-1',
        jobName: 'etl',
        status: 'RESTARTING',
        failure: { name: 'Error', message: 'boom', stack: 'at x' },
        livingPriority: 'DRIVER',
      },
    });
    const decoded = JobEventMessage.decode(JobEventMessage.encode(message).finish());
    expect(decoded.sequence).toBe(2n ** 40n);
    expect(decoded.jobSequence).toBe(3n);
    expect(decoded.time).toEqual(time);
    expect(decoded.applicationId).toBe('app-1');
    expect(decoded.kind).toEqual({
      $case: 'jobStatusChanged',
      jobStatusChanged: {
        jobId: 'job-1',
        jobName: 'etl',
        status: JobStatus.RESTARTING,
        failure: { name: 'Error', message: 'boom', stack: 'at x', cause: undefined },
        livingPriority: LivingPriority.DRIVER,
        driverAttempt: 0,
        driverOrdinal: 0,
        fingerprint: '',
        replay: DriverReplayKind.UNSPECIFIED,
        replayedAttempt: 0,
      },
    });
  });

  it('names the driver submission a job status change is about, and how a replayed one was answered, both ways', () => {
    const submission = {
      attempt: 2,
      ordinal: 3,
      fingerprint: 'f'.repeat(64),
      replay: 'RESUBMITTED' as const,
      replayedAttempt: 1,
    };
    const message = jobStatusChangedToMessage({
      type: 'jobStatusChanged',
      jobId: 'job-3',
      jobName: 'app: slow',
      status: 'CREATED',
      livingPriority: 'NORMAL',
      submission,
    });
    expect(message).toMatchObject({
      driverAttempt: 2,
      driverOrdinal: 3,
      replay: DriverReplayKind.RESUBMITTED,
      replayedAttempt: 1,
    });
    expect(driverSubmissionFromMessage(message)).toEqual(submission);
    const plain = jobStatusChangedToMessage({
      type: 'jobStatusChanged',
      jobId: 'job-4',
      jobName: 'x',
      status: 'CREATED',
      livingPriority: 'NORMAL',
    });
    expect(driverSubmissionFromMessage(plain)).toBeUndefined();
  });

  it('converts a task state change with where it ran', () => {
    const message = jobEventToMessage({
      sequence: 7,
      jobSequence: 5,
      time,
      applicationId: '',
      jobId: 'job-1',
      kind: {
        type: 'taskStateChanged',
        jobId: 'job-1',
        vertexId: 'v2',
        vertexName: 'Map -> Sink: collect',
        subtaskIndex: 1,
        attemptNumber: 2,
        state: 'RUNNING',
        taskExecutorId: 'te-1',
      },
    });
    const decoded = JobEventMessage.decode(JobEventMessage.encode(message).finish());
    expect(decoded.kind).toEqual({
      $case: 'taskStateChanged',
      taskStateChanged: {
        jobId: 'job-1',
        vertexId: 'v2',
        vertexName: 'Map -> Sink: collect',
        subtaskIndex: 1,
        attemptNumber: 2,
        state: ExecutionState.RUNNING,
        failure: undefined,
        taskExecutorId: 'te-1',
      },
    });
  });

  it('converts an application status change with its failure and cause, under its application id', () => {
    const message = jobEventToMessage({
      sequence: 40,
      jobSequence: 9,
      time,
      applicationId: 'app-3',
      jobId: 'job-driver',
      kind: {
        type: 'applicationStatusChanged',
        status: 'FAILED',
        driverJobId: 'job-driver',
        failure: {
          name: 'DriverLostError',
          message: 'the driver was lost: task executor te-1 was lost',
          stack: '',
          cause: { name: 'TaskExecutorLostError', message: 'task executor te-1 was lost', stack: '' },
        },
        message: 'the driver was lost: task executor te-1 was lost',
      },
    });
    const decoded = JobEventMessage.decode(JobEventMessage.encode(message).finish());
    expect(decoded.applicationId).toBe('app-3');
    expect(decoded.jobSequence).toBe(9n);
    expect(decoded.kind).toEqual({
      $case: 'applicationStatusChanged',
      applicationStatusChanged: {
        status: ApplicationStatus.FAILED,
        driverJobId: 'job-driver',
        failure: {
          name: 'DriverLostError',
          message: 'the driver was lost: task executor te-1 was lost',
          stack: '',
          cause: { name: 'TaskExecutorLostError', message: 'task executor te-1 was lost', stack: '', cause: undefined },
        },
        message: 'the driver was lost: task executor te-1 was lost',
      },
    });
  });

  it('maps every application status to its own proto value', () => {
    const statuses = [
      'CREATED',
      'DEPLOYING',
      'RUNNING',
      'FAILING',
      'FAILED',
      'CANCELING',
      'CANCELED',
      'FINISHED',
    ] as const;
    expect(statuses.map((status) => ApplicationStatus[applicationStatusToMessage(status)])).toEqual(statuses);
  });
});
