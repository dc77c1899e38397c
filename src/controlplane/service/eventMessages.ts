/** Converts applications' events to `flotilla.v1.ApplicationEvent` (the control plane only sends them). */
import type { ApplicationEvent as ApplicationEventMessage } from '../../../generated/flotilla/v1/events.js';
import { executionStateToMessage, jobStatusToMessage, livingPriorityToMessage, serializedErrorToMessage } from '../../rpc/convert/status.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { applicationStatusToMessage, clusterStatusToMessage } from './enums.js';

/** A domain application event as its proto message. */
export function applicationEventToMessage(event: ApplicationEvent): ApplicationEventMessage {
  const { kind } = event;
  const base = { applicationId: event.applicationId, sequence: BigInt(event.sequence), time: event.time };
  switch (kind.type) {
    case 'applicationStatusChanged':
      return {
        ...base,
        kind: {
          $case: 'applicationStatusChanged',
          applicationStatusChanged: {
            status: applicationStatusToMessage(kind.status),
            failure: kind.failure && serializedErrorToMessage(kind.failure),
            message: kind.message,
          },
        },
      };
    case 'jobStatusChanged':
      return {
        ...base,
        kind: {
          $case: 'jobStatusChanged',
          jobStatusChanged: {
            jobId: kind.jobId,
            jobName: kind.jobName,
            status: jobStatusToMessage(kind.status),
            failure: kind.failure && serializedErrorToMessage(kind.failure),
            livingPriority: livingPriorityToMessage(kind.livingPriority),
          },
        },
      };
    case 'taskStateChanged':
      return {
        ...base,
        kind: {
          $case: 'taskStateChanged',
          taskStateChanged: {
            jobId: kind.jobId,
            vertexId: kind.vertexId,
            vertexName: kind.vertexName,
            subtaskIndex: kind.subtaskIndex,
            attemptNumber: kind.attemptNumber,
            state: executionStateToMessage(kind.state),
            failure: kind.failure && serializedErrorToMessage(kind.failure),
            taskExecutorId: kind.taskExecutorId,
          },
        },
      };
    case 'clusterStatusChanged':
      return {
        ...base,
        kind: {
          $case: 'clusterStatusChanged',
          clusterStatusChanged: {
            clusterId: kind.clusterId,
            status: clusterStatusToMessage(kind.status),
            message: kind.message,
            jobmanagerAddress: kind.jobmanagerAddress,
          },
        },
      };
  }
}
