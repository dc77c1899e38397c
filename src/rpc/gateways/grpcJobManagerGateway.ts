/** {@link JobManagerGateway} over gRPC: a task executor's client of its job manager's DispatcherService. */
import { createChannel, createClient } from 'nice-grpc';
import { DispatcherServiceDefinition } from '../../../generated/flotilla/v1/dispatcher_service.js';
import type { JobManagerGateway } from '../../taskexecutor/JobManagerGateway.js';
import { slotToMessage } from '../convert/slots.js';

/** Connects to the DispatcherService at `address`; each call gives up after `callTimeoutMs`. */
export function grpcJobManagerGateway(address: string, callTimeoutMs = 5000): JobManagerGateway {
  const channel = createChannel(address);
  const client = createClient(DispatcherServiceDefinition, channel);
  return {
    async registerTaskExecutor(registration) {
      return client.registerTaskExecutor(
        { ...registration, slots: registration.slots.map(slotToMessage) },
        { signal: AbortSignal.timeout(callTimeoutMs) },
      );
    },
    async heartbeat(taskExecutorId, slots, runningExecutionAttemptIds) {
      const answer = await client.heartbeatFromTaskExecutor(
        { taskExecutorId, slots: slots.map(slotToMessage), runningExecutionAttemptIds },
        { signal: AbortSignal.timeout(callTimeoutMs) },
      );
      return { registered: answer.registered };
    },
    close: () => channel.close(),
  };
}
