/** Converts the Dispatcher's job events to `flotilla.v1.JobEvent` (the job manager only sends them). */
import type { JobEvent as JobEventMessage } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus as ApplicationStatusMessage } from '../../../generated/flotilla/v1/status.js';
import type { ApplicationStatus } from '../../dispatcher/ApplicationStatus.js';
import type { JobEvent, JobEventKind } from '../../dispatcher/JobEvent.js';
import { executionStateToMessage, jobStatusToMessage, livingPriorityToMessage, serializedErrorToMessage } from './status.js';

const APPLICATION_STATUSES: Record<ApplicationStatus, ApplicationStatusMessage> = {
  CREATED: ApplicationStatusMessage.CREATED,
  DEPLOYING: ApplicationStatusMessage.DEPLOYING,
  RUNNING: ApplicationStatusMessage.RUNNING,
  FAILING: ApplicationStatusMessage.FAILING,
  FAILED: ApplicationStatusMessage.FAILED,
  CANCELING: ApplicationStatusMessage.CANCELING,
  CANCELED: ApplicationStatusMessage.CANCELED,
  FINISHED: ApplicationStatusMessage.FINISHED,
};

/** A domain application status as its proto enum. */
export function applicationStatusToMessage(status: ApplicationStatus): ApplicationStatusMessage {
  return APPLICATION_STATUSES[status];
}

/** A domain job event as its proto message. */
export function jobEventToMessage(event: JobEvent): JobEventMessage {
  return {
    sequence: BigInt(event.sequence),
    jobSequence: BigInt(event.jobSequence),
    time: event.time,
    applicationId: event.applicationId,
    kind: kindToMessage(event.kind),
  };
}

function kindToMessage(kind: JobEventKind): JobEventMessage['kind'] {
  const failure = kind.failure && serializedErrorToMessage(kind.failure);
  switch (kind.type) {
    case 'jobStatusChanged':
      return {
        $case: 'jobStatusChanged',
        jobStatusChanged: {
          jobId: kind.jobId,
          jobName: kind.jobName,
          status: jobStatusToMessage(kind.status),
          failure,
          livingPriority: livingPriorityToMessage(kind.livingPriority),
        },
      };
    case 'taskStateChanged':
      return {
        $case: 'taskStateChanged',
        taskStateChanged: {
          jobId: kind.jobId,
          vertexId: kind.vertexId,
          vertexName: kind.vertexName,
          subtaskIndex: kind.subtaskIndex,
          attemptNumber: kind.attemptNumber,
          state: executionStateToMessage(kind.state),
          failure,
          taskExecutorId: kind.taskExecutorId,
        },
      };
    case 'applicationStatusChanged':
      return {
        $case: 'applicationStatusChanged',
        applicationStatusChanged: { status: applicationStatusToMessage(kind.status), failure, message: kind.message },
      };
  }
}
