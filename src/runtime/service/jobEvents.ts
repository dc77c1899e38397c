/**
 * Converts job events to `flotilla.v1.JobEvent` (the job manager only sends them) and their kinds to
 * the messages the control plane's ApplicationEvent reuses; shared by both services, so it sits in
 * src/runtime/service beside nothing but the types it converts.
 */
import type {
  ApplicationStatusChanged as ApplicationStatusChangedMessage,
  JobEvent as JobEventMessage,
  JobStatusChanged as JobStatusChangedMessage,
  TaskStateChanged as TaskStateChangedMessage,
} from '../../../generated/flotilla/v1/events.js';
import { DriverReplayKind as DriverReplayKindMessage } from '../../../generated/flotilla/v1/events.js';
import type {
  ApplicationStatusChanged,
  DriverReplayKind,
  DispatcherEventKind,
  DriverSubmissionRef,
  JobEvent,
  JobStatusChanged,
  TaskStateChanged,
} from '../JobEvent.js';
import {
  applicationStatusToMessage,
  executionStateToMessage,
  jobStatusToMessage,
  livingPriorityToMessage,
  serializedErrorToMessage,
} from '../../rpc/convert/status.js';

/** A domain job event as its proto message. */
export function jobEventToMessage(event: JobEvent<DispatcherEventKind>): JobEventMessage {
  return {
    sequence: BigInt(event.sequence),
    jobSequence: BigInt(event.jobSequence),
    time: event.time,
    applicationId: event.applicationId,
    kind: kindToMessage(event.kind),
  };
}

/** A job status change as its proto message (the control plane relays the same events). */
export function jobStatusChangedToMessage(kind: JobStatusChanged): JobStatusChangedMessage {
  return {
    jobId: kind.jobId,
    jobName: kind.jobName,
    status: jobStatusToMessage(kind.status),
    failure: kind.failure && serializedErrorToMessage(kind.failure),
    livingPriority: livingPriorityToMessage(kind.livingPriority),
    driverOrdinal: kind.submission?.ordinal ?? 0,
    fingerprint: kind.submission?.fingerprint ?? '',
    replay: kind.submission?.replay
      ? DriverReplayKindMessage[kind.submission.replay]
      : DriverReplayKindMessage.UNSPECIFIED,
    replayedAttempt: kind.submission?.replayedAttempt ?? 0,
    driverAttempt: kind.submission?.attempt ?? 0,
  };
}

/** The driver submission a job status change message names, if any (the inverse of the fields above). */
export function driverSubmissionFromMessage(message: JobStatusChangedMessage): DriverSubmissionRef | undefined {
  if (message.driverOrdinal === 0) return undefined;
  const replay = DRIVER_REPLAY_KINDS.find((kind) => DriverReplayKindMessage[kind] === message.replay);
  return {
    attempt: Math.max(1, message.driverAttempt),
    ordinal: message.driverOrdinal,
    fingerprint: message.fingerprint,
    ...(replay ? { replay, replayedAttempt: message.replayedAttempt } : {}),
  };
}

const DRIVER_REPLAY_KINDS: readonly DriverReplayKind[] = ['REPLAYED', 'ATTACHED', 'RESUBMITTED'];

/** A task state change as its proto message (the control plane relays the same events). */
export function taskStateChangedToMessage(kind: TaskStateChanged): TaskStateChangedMessage {
  return {
    jobId: kind.jobId,
    vertexId: kind.vertexId,
    vertexName: kind.vertexName,
    subtaskIndex: kind.subtaskIndex,
    attemptNumber: kind.attemptNumber,
    state: executionStateToMessage(kind.state),
    failure: kind.failure && serializedErrorToMessage(kind.failure),
    taskExecutorId: kind.taskExecutorId,
  };
}

/** An application status change as its proto message. */
export function applicationStatusChangedToMessage(kind: ApplicationStatusChanged): ApplicationStatusChangedMessage {
  return {
    status: applicationStatusToMessage(kind.status),
    failure: kind.failure && serializedErrorToMessage(kind.failure),
    message: kind.message,
    driverJobId: kind.driverJobId ?? '',
  };
}

function kindToMessage(kind: DispatcherEventKind): JobEventMessage['kind'] {
  switch (kind.type) {
    case 'jobStatusChanged':
      return { $case: 'jobStatusChanged', jobStatusChanged: jobStatusChangedToMessage(kind) };
    case 'taskStateChanged':
      return { $case: 'taskStateChanged', taskStateChanged: taskStateChangedToMessage(kind) };
    case 'applicationStatusChanged':
      return { $case: 'applicationStatusChanged', applicationStatusChanged: applicationStatusChangedToMessage(kind) };
    case 'checkpointCompleted':
      return {
        $case: 'checkpointCompleted',
        checkpointCompleted: {
          jobId: kind.jobId,
          checkpointId: BigInt(kind.checkpointId),
          savepoint: kind.savepoint,
          externalPath: kind.externalPath,
          completedAt: kind.completedAt,
        },
      };
  }
}
