/**
 * The gRPC adapter of a task executor: maps TaskExecutorService messages to its slot table, its
 * tasks, its result partitions (ExchangeData) and its lifecycle.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceImplementation,
} from '../../../generated/flotilla/v1/task_executor_service.js';
import { checkDialAddress } from '../../common/address.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import { resourceProfileFromMessage, slotToMessage } from '../../runtime/service/slots.js';
import { taskDeploymentFromMessage } from '../../runtime/service/taskDeployment.js';
import type { HostedService } from '../../rpc/serverHost.js';
import { hostedService } from '../../rpc/hostedService.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { TaskRegistry } from '../TaskRegistry.js';
import type { TaskSlotTable } from '../TaskSlotTable.js';

/** What the adapter needs from the task executor. */
export interface TaskExecutorServiceDependencies {
  taskExecutorId: string;
  slots: TaskSlotTable;
  tasks: TaskRegistry;
  /** Serves this task executor's result partitions to consumers. */
  exchangeData: TaskExecutorServiceImplementation<CallContext>['exchangeData'];
  /** Called when an allocation is freed, after its tasks were cancelled (drops its partitions). */
  onAllocationFreed(allocationId: string): void;
  /** Called after a ShutDown request was answered. */
  onShutDown(reason: string): void;
}

/** Creates the TaskExecutorService implementation. */
export function taskExecutorService(deps: TaskExecutorServiceDependencies): HostedService {
  const implemented: TaskExecutorServiceImplementation<CallContext> = {
    async offerSlots() {
      return { taskExecutorId: deps.taskExecutorId, slots: deps.slots.report().map(slotToMessage) };
    },
    async requestSlot(request) {
      if (!request.jobId || !request.allocationId)
        throw new InvalidArgumentError('job_id and allocation_id are required');
      const slot = deps.slots.allocate({ ...request, resources: resourceProfileFromMessage(request.resources) });
      return { slot: slotToMessage(slot) };
    },
    async freeSlot(request) {
      await deps.tasks.cancelAllocation(request.allocationId);
      deps.slots.free(request.allocationId);
      deps.onAllocationFreed(request.allocationId);
      return {};
    },
    async submitTask(request) {
      deps.tasks.submit(checkDialedAddresses(taskDeploymentFromMessage(request.task)));
      return {};
    },
    async cancelTask(request) {
      if (!request.executionAttemptId) throw new InvalidArgumentError('execution_attempt_id is required');
      deps.tasks.cancel(request.executionAttemptId);
      return {};
    },
    async triggerCheckpoint(request) {
      if (!request.executionAttemptId) throw new InvalidArgumentError('execution_attempt_id is required');
      const checkpointId = toSafeNumber(request.checkpointId, 'checkpoint_id');
      const timestamp = toSafeNumber(request.timestampMs, 'timestamp_ms');
      return {
        accepted: deps.tasks.triggerCheckpoint(request.executionAttemptId, checkpointId, timestamp, request.stop),
      };
    },
    async confirmCheckpoint(request) {
      if (!request.executionAttemptId) throw new InvalidArgumentError('execution_attempt_id is required');
      deps.tasks.confirmCheckpoint(request.executionAttemptId, toSafeNumber(request.checkpointId, 'checkpoint_id'));
      return {};
    },
    exchangeData: deps.exchangeData,
    async heartbeat() {
      return {
        taskExecutorId: deps.taskExecutorId,
        slots: deps.slots.report().map(slotToMessage),
        runningExecutionAttemptIds: deps.tasks.runningAttempts(),
      };
    },
    async shutDown(request) {
      setImmediate(() => deps.onShutDown(request.reason || 'asked to shut down'));
      return {};
    },
  };
  return hostedService(TaskExecutorServiceDefinition, implemented);
}

/** The descriptor, once the addresses its task will dial (producers, the job manager) are ones gRPC can dial. */
function checkDialedAddresses(descriptor: TaskDeploymentDescriptor): TaskDeploymentDescriptor {
  if (descriptor.jobmanagerAddress) checkDialAddress(descriptor.jobmanagerAddress, 'task.jobmanager_address');
  descriptor.inputs.forEach((gate, index) =>
    gate.channels.forEach((channel, at) =>
      checkDialAddress(channel.producerAddress, `task.inputs[${index}].channels[${at}].producer_address`),
    ),
  );
  return descriptor;
}
