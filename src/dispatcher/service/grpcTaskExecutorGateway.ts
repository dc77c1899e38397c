/**
 * {@link TaskExecutorGateway} over gRPC: the job manager's client of one task executor. A call
 * answered UNAVAILABLE (nothing listens at the address any more) fails with
 * {@link TaskExecutorUnreachableError}, so the job manager can tell a dead task executor from a
 * task that failed.
 */
import { ClientError, Status } from 'nice-grpc-common';
import { TaskExecutorServiceDefinition } from '../../../generated/flotilla/v1/task_executor_service.js';
import type { TaskExecutorGateway } from '../../runtime/TaskExecutorGateway.js';
import { TaskExecutorUnreachableError } from '../../runtime/TaskExecutorUnreachableError.js';
import { resourceProfileToMessage, slotFromMessage } from '../../runtime/service/slots.js';
import { taskDeploymentToMessage } from '../../runtime/service/taskDeployment.js';
import { connectClient } from '../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';

/** Connects to the TaskExecutorService at `address` with `security` (TLS, the cluster's secret); each call gives up after `callTimeoutMs`. */
export function grpcTaskExecutorGateway(
  address: string,
  callTimeoutMs = 5000,
  security?: ClientSecurity,
): TaskExecutorGateway {
  const { channel, client } = connectClient(TaskExecutorServiceDefinition, address, security);
  const signal = () => ({ signal: AbortSignal.timeout(callTimeoutMs) });
  return {
    async requestSlot(request) {
      const { slot } = await client.requestSlot(
        { ...request, resources: resourceProfileToMessage(request.resources) },
        signal(),
      );
      return slotFromMessage(slot!);
    },
    async freeSlot(allocationId, reason) {
      await client.freeSlot({ allocationId, reason }, signal());
    },
    async submitTask(descriptor) {
      await reaching(address, client.submitTask({ task: taskDeploymentToMessage(descriptor) }, signal()));
    },
    async cancelTask(executionAttemptId) {
      await client.cancelTask({ executionAttemptId }, signal());
    },
    async triggerCheckpoint(executionAttemptId, checkpointId, timestamp, stop = false) {
      const { accepted } = await client.triggerCheckpoint(
        { executionAttemptId, checkpointId: BigInt(checkpointId), timestampMs: BigInt(timestamp), stop },
        signal(),
      );
      return accepted;
    },
    async confirmCheckpoint(executionAttemptId, checkpointId) {
      await client.confirmCheckpoint({ executionAttemptId, checkpointId: BigInt(checkpointId) }, signal());
    },
    async shutDown(reason) {
      await client.shutDown({ reason }, signal());
    },
    close: () => channel.close(),
  };
}

/** `call`'s result; an UNAVAILABLE answer becomes a {@link TaskExecutorUnreachableError} naming `address`. */
async function reaching<T>(address: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ClientError && error.code === Status.UNAVAILABLE)
      throw new TaskExecutorUnreachableError(`task executor at ${address} is unreachable: ${error.details}`);
    throw error;
  }
}
