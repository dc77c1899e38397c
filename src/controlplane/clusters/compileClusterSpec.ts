/**
 * Validates the size of a cluster to deploy and fills in its defaults. Every problem is
 * INVALID_ARGUMENT naming the field, so a client learns what to change.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { checkProperties, checkResources } from '../model/checks.js';
import type { ClusterSpec, TaskExecutorResources } from '../model/Cluster.js';

/** A cluster size as a client asked for it; zeros mean "the default". */
export interface ClusterSpecInput {
  taskExecutors: number;
  slotsPerTaskExecutor: number;
  taskExecutorResources?: TaskExecutorResources;
  properties: Record<string, string>;
}

/** The most task executors one cluster on this machine may have. */
export const MAX_TASK_EXECUTORS = 64;
/** The most slots one task executor may offer. */
export const MAX_SLOTS_PER_TASK_EXECUTOR = 256;

/** The spec with defaults: 1 task executor, `defaultSlots` slots each. `field` prefixes field names in errors. */
export function compileClusterSpec(input: ClusterSpecInput, defaultSlots: number, field: string): ClusterSpec {
  if (!Number.isInteger(input.taskExecutors) || input.taskExecutors < 0 || input.taskExecutors > MAX_TASK_EXECUTORS) {
    throw new InvalidArgumentError(
      `${field}.task_executors must be 0 (the default, 1) to ${MAX_TASK_EXECUTORS}, got ${input.taskExecutors}`,
    );
  }
  if (
    !Number.isInteger(input.slotsPerTaskExecutor) ||
    input.slotsPerTaskExecutor < 0 ||
    input.slotsPerTaskExecutor > MAX_SLOTS_PER_TASK_EXECUTOR
  ) {
    throw new InvalidArgumentError(
      `${field}.slots_per_task_executor must be 0 (the default, ${defaultSlots}) to ${MAX_SLOTS_PER_TASK_EXECUTOR}, got ${input.slotsPerTaskExecutor}`,
    );
  }
  const spec: ClusterSpec = {
    taskExecutors: input.taskExecutors || 1,
    slotsPerTaskExecutor: input.slotsPerTaskExecutor || defaultSlots,
    properties: checkProperties(input.properties, `${field}.properties`),
  };
  if (input.taskExecutorResources)
    spec.taskExecutorResources = checkResources(input.taskExecutorResources, `${field}.task_executor_resources`);
  return spec;
}
