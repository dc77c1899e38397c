/**
 * The gRPC adapter of a task executor. Slots, task deployment and data exchange arrive with the
 * cluster-runtime milestone; until then every RPC answers UNIMPLEMENTED with a message that says so.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceImplementation,
} from '../../generated/flotilla/v1/task_executor_service.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';

/** Creates the TaskExecutorService implementation. */
export function taskExecutorService(): HostedService {
  const implemented: Partial<TaskExecutorServiceImplementation<CallContext>> = {};
  return {
    definition: TaskExecutorServiceDefinition,
    implementation: withUnimplemented(TaskExecutorServiceDefinition, implemented),
  } as HostedService;
}
