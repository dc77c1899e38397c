/**
 * The gRPC adapter of a task executor: maps TaskExecutorService messages to its slot table and
 * lifecycle. Task deployment and data exchange arrive with the rest of the cluster runtime; until
 * then those RPCs answer UNIMPLEMENTED with a message that says so.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceImplementation,
} from '../../generated/flotilla/v1/task_executor_service.js';
import { resourceProfileFromMessage, slotToMessage } from '../rpc/convert/slots.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';
import type { TaskSlotTable } from './TaskSlotTable.js';

/** What the adapter needs from the task executor. */
export interface TaskExecutorServiceDependencies {
  taskExecutorId: string;
  slots: TaskSlotTable;
  /** The execution attempts running now. */
  runningAttempts(): string[];
  /** Called after a ShutDown request was answered. */
  onShutDown(reason: string): void;
}

/** Creates the TaskExecutorService implementation. */
export function taskExecutorService(deps: TaskExecutorServiceDependencies): HostedService {
  const implemented: Partial<TaskExecutorServiceImplementation<CallContext>> = {
    async offerSlots() {
      return { taskExecutorId: deps.taskExecutorId, slots: deps.slots.report().map(slotToMessage) };
    },
    async requestSlot(request) {
      const slot = deps.slots.allocate({ ...request, resources: resourceProfileFromMessage(request.resources) });
      return { slot: slotToMessage(slot) };
    },
    async freeSlot(request) {
      deps.slots.free(request.allocationId);
      return {};
    },
    async heartbeat() {
      return { taskExecutorId: deps.taskExecutorId, slots: deps.slots.report().map(slotToMessage), runningExecutionAttemptIds: deps.runningAttempts() };
    },
    async shutDown(request) {
      setImmediate(() => deps.onShutDown(request.reason || 'asked to shut down'));
      return {};
    },
  };
  return {
    definition: TaskExecutorServiceDefinition,
    implementation: withUnimplemented(TaskExecutorServiceDefinition, implemented),
  } as HostedService;
}
