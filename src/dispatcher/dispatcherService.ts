/**
 * The gRPC adapter of a cluster's job manager: maps DispatcherService messages to the resource
 * manager (registration, heartbeats, slots, overview). Jobs (submission, job masters, results,
 * events) and the blob server arrive with the rest of the cluster runtime; until then those RPCs
 * answer UNIMPLEMENTED with a message that says so.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceImplementation,
} from '../../generated/flotilla/v1/dispatcher_service.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { ResourceManager } from '../resourcemanager/ResourceManager.js';
import { slotFromMessage, slotToMessage } from '../rpc/convert/slots.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';

/** What the adapter needs from the job manager. */
export interface DispatcherServiceDependencies {
  clusterId: string;
  resourceManager: ResourceManager;
}

/** Creates the DispatcherService implementation. */
export function dispatcherService({ clusterId, resourceManager }: DispatcherServiceDependencies): HostedService {
  const implemented: Partial<DispatcherServiceImplementation<CallContext>> = {
    async registerTaskExecutor(request) {
      if (!request.taskExecutorId) throw new InvalidArgumentError('task_executor_id is required');
      if (!request.address) throw new InvalidArgumentError('address is required: where the job manager reaches the task executor');
      return resourceManager.register({
        taskExecutorId: request.taskExecutorId,
        address: request.address,
        slots: request.slots.map(slotFromMessage),
        pid: request.pid,
        hostname: request.hostname,
      });
    },

    async heartbeatFromTaskExecutor(request) {
      return { registered: resourceManager.heartbeat(request.taskExecutorId, request.slots.map(slotFromMessage)), unknownExecutionAttemptIds: [] };
    },

    async reportSlots(request) {
      resourceManager.reportSlots(request.taskExecutorId, request.slots.map(slotFromMessage));
      return {};
    },

    async requestClusterOverview() {
      const executors = resourceManager.taskExecutors();
      const slots = resourceManager.slotCounts();
      return {
        clusterId,
        taskExecutors: executors.length,
        slotsTotal: slots.total,
        slotsAvailable: slots.available,
        jobsRunning: 0,
        jobsFinished: 0,
        jobsCancelled: 0,
        jobsFailed: 0,
        applicationId: '',
        taskExecutorInfos: executors.map((executor) => ({
          id: executor.taskExecutorId,
          address: executor.address,
          pid: executor.pid,
          slots: executor.slots.map(slotToMessage),
        })),
      };
    },
  };
  return {
    definition: DispatcherServiceDefinition,
    implementation: withUnimplemented(DispatcherServiceDefinition, implemented),
  } as HostedService;
}
