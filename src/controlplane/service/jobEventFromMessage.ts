/**
 * Converts a Dispatcher's `flotilla.v1.JobEvent` into the control plane's domain event. An event
 * whose kind this build does not know (a newer job manager) still keeps its sequence, as kind
 * undefined, so that the consumer moves past it instead of stalling.
 */
import type { JobEvent as JobEventMessage } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus as ApplicationStatusMessage } from '../../../generated/flotilla/v1/status.js';
import {
  executionStateFromMessage,
  jobStatusFromMessage,
  livingPriorityFromMessage,
  serializedErrorFromMessage,
} from '../../rpc/convert/status.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { DriverSubmissionRef } from '../../runtime/JobEvent.js';
import { driverSubmissionFromMessage } from '../../runtime/service/jobEvents.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { applicationStatusFromMessage } from './enums.js';

/** Converts one event. */
export function jobEventFromMessage(message: JobEventMessage): ClusterJobEvent {
  const base = {
    sequence: toSafeNumber(message.sequence, 'sequence'),
    time: message.time ?? new Date(),
    applicationId: message.applicationId,
  };
  try {
    return { ...base, kind: kindOf(message) };
  } catch {
    return { ...base, kind: undefined };
  }
}

function kindOf(message: JobEventMessage): ClusterJobEvent['kind'] {
  const kind = message.kind;
  switch (kind?.$case) {
    case 'jobStatusChanged': {
      const event = kind.jobStatusChanged;
      return {
        type: 'jobStatusChanged',
        jobId: event.jobId,
        jobName: event.jobName,
        status: jobStatusFromMessage(event.status, 'status'),
        failure: serializedErrorFromMessage(event.failure),
        livingPriority:
          event.livingPriority === 0 ? 'NORMAL' : livingPriorityFromMessage(event.livingPriority, 'living_priority'),
        ...withSubmission(driverSubmissionFromMessage(event)),
      };
    }
    case 'taskStateChanged': {
      const event = kind.taskStateChanged;
      return {
        type: 'taskStateChanged',
        jobId: event.jobId,
        vertexId: event.vertexId,
        vertexName: event.vertexName,
        subtaskIndex: event.subtaskIndex,
        attemptNumber: event.attemptNumber,
        state: executionStateFromMessage(event.state, 'state'),
        failure: serializedErrorFromMessage(event.failure),
        taskExecutorId: event.taskExecutorId,
      };
    }
    case 'applicationStatusChanged': {
      const event = kind.applicationStatusChanged;
      if (event.status === ApplicationStatusMessage.UNSPECIFIED) return undefined;
      return {
        type: 'applicationStatusChanged',
        status: applicationStatusFromMessage(event.status, 'status'),
        failure: serializedErrorFromMessage(event.failure),
        message: event.message,
        ...(event.driverJobId ? { driverJobId: event.driverJobId } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** The `submission` member of a job status change, left out when it names none. */
function withSubmission(submission: DriverSubmissionRef | undefined): { submission?: DriverSubmissionRef } {
  return submission ? { submission } : {};
}
