/** Converts applications' events to `flotilla.v1.ApplicationEvent` (the control plane only sends them). */
import type { ApplicationEvent as ApplicationEventMessage } from '../../../generated/flotilla/v1/events.js';
import {
  applicationStatusChangedToMessage,
  jobStatusChangedToMessage,
  taskStateChangedToMessage,
} from '../../runtime/service/jobEvents.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { clusterStatusToMessage } from './enums.js';
import { applicationSavepointToMessage } from './savepointMessages.js';

/** A domain application event as its proto message. */
export function applicationEventToMessage(event: ApplicationEvent): ApplicationEventMessage {
  const { kind } = event;
  const base = { applicationId: event.applicationId, sequence: BigInt(event.sequence), time: event.time };
  switch (kind.type) {
    case 'applicationStatusChanged':
      return {
        ...base,
        kind: { $case: 'applicationStatusChanged', applicationStatusChanged: applicationStatusChangedToMessage(kind) },
      };
    case 'jobStatusChanged':
      return { ...base, kind: { $case: 'jobStatusChanged', jobStatusChanged: jobStatusChangedToMessage(kind) } };
    case 'taskStateChanged':
      return { ...base, kind: { $case: 'taskStateChanged', taskStateChanged: taskStateChangedToMessage(kind) } };
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
            registeredTaskExecutors: kind.registeredTaskExecutors ?? 0,
            taskExecutors: kind.taskExecutors ?? 0,
          },
        },
      };
    case 'applicationSavepointCompleted':
      return {
        ...base,
        kind: {
          $case: 'applicationSavepointCompleted',
          applicationSavepointCompleted: {
            savepoint: applicationSavepointToMessage(kind.savepoint),
            stopped: kind.stopped,
            message: kind.message,
          },
        },
      };
  }
}
