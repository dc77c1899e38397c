/** Converts the Dispatcher's job events to `flotilla.v1.JobEvent` (the job manager only sends them). */
import type { JobEvent as JobEventMessage } from '../../../generated/flotilla/v1/events.js';
import type { JobEvent } from '../../dispatcher/JobEvent.js';
import { executionStateToMessage, jobStatusToMessage, livingPriorityToMessage, serializedErrorToMessage } from './status.js';

/** A domain job event as its proto message. */
export function jobEventToMessage(event: JobEvent): JobEventMessage {
  const { kind } = event;
  const failure = kind.failure && serializedErrorToMessage(kind.failure);
  return {
    sequence: BigInt(event.sequence),
    jobSequence: BigInt(event.jobSequence),
    time: event.time,
    applicationId: event.applicationId,
    kind:
      kind.type === 'jobStatusChanged'
        ? {
            $case: 'jobStatusChanged',
            jobStatusChanged: {
              jobId: kind.jobId,
              jobName: kind.jobName,
              status: jobStatusToMessage(kind.status),
              failure,
              livingPriority: livingPriorityToMessage(kind.livingPriority),
            },
          }
        : {
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
          },
  };
}
