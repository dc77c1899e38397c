/**
 * The {@link TaskDeployer} job masters use in a cluster: each task goes to the gateway of the task
 * executor that holds its slot, as the resource manager knows it now. A task executor that is no
 * longer registered fails the deployment with a message naming it (the job master fails the task
 * and follows its restart strategy); a cancellation there fails too, which the job master takes
 * as "nothing runs there any more". A task executor that cannot be reached at all is declared lost
 * at once (its slots vanish, so the next attempt is not deployed there again) instead of after the
 * heartbeat timeout, as Flink's `heartbeat.rpc-failure-threshold` does.
 */
import type { TaskDeployer } from '../jobmaster/TaskDeployer.js';
import { TaskExecutorNotRegisteredError } from '../resourcemanager/TaskExecutorNotRegisteredError.js';
import { TaskExecutorUnreachableError } from '../runtime/TaskExecutorUnreachableError.js';
import type { ClusterResources } from './ClusterResources.js';

/** A deployer over the resource manager's task executor gateways. */
export function gatewayTaskDeployer(resources: Pick<ClusterResources, 'gatewayOf' | 'lose'>): TaskDeployer {
  return {
    async submitTask(taskExecutorId, descriptor) {
      const gateway = resources.gatewayOf(taskExecutorId);
      if (!gateway) {
        throw new TaskExecutorNotRegisteredError(
          `cannot deploy ${descriptor.vertexName} (subtask ${descriptor.subtaskIndex}, attempt ${descriptor.attemptNumber}): ` +
            `task executor ${taskExecutorId} is no longer registered with the job manager`,
        );
      }
      try {
        await gateway.submitTask(descriptor);
      } catch (error) {
        if (error instanceof TaskExecutorUnreachableError) resources.lose(taskExecutorId, error.message);
        throw error;
      }
    },
    async cancelTask(taskExecutorId, executionAttemptId) {
      const gateway = resources.gatewayOf(taskExecutorId);
      if (!gateway)
        throw new TaskExecutorNotRegisteredError(
          `cannot cancel ${executionAttemptId}: task executor ${taskExecutorId} is no longer registered`,
        );
      await gateway.cancelTask(executionAttemptId);
    },
    async triggerCheckpoint(taskExecutorId, executionAttemptId, checkpointId, timestamp, stop) {
      const gateway = resources.gatewayOf(taskExecutorId);
      return gateway ? gateway.triggerCheckpoint(executionAttemptId, checkpointId, timestamp, stop) : false;
    },
    async confirmCheckpoint(taskExecutorId, executionAttemptId, checkpointId) {
      await resources.gatewayOf(taskExecutorId)?.confirmCheckpoint(executionAttemptId, checkpointId);
    },
  };
}
