/**
 * Tells driver tasks apart from pipeline tasks: a driver job's task has the `driver` operator as
 * its first (and only) operator. Both the task executor's main thread (how to start the worker)
 * and the worker (what to run) ask.
 */
import type { OperatorSpec, ResourceProfile } from '../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';

/** The `driver` operator spec. */
export type DriverOperatorSpec = Extract<OperatorSpec, { kind: 'driver' }>;

/** The driver operator of a task, or undefined when the task runs a pipeline. */
export function driverOperatorOf(
  descriptor: Pick<TaskDeploymentDescriptor, 'operators'>,
): DriverOperatorSpec | undefined {
  const first = descriptor.operators[0];
  return first?.kind === 'driver' ? first : undefined;
}

/**
 * The limits a driver runs with: the driver operator's own resources, each one that is zero taken
 * from the task's (the slot request's) resources instead. Zero means unlimited.
 */
export function driverResources(
  driver: DriverOperatorSpec,
  descriptor: Pick<TaskDeploymentDescriptor, 'resources'>,
): ResourceProfile {
  const own = driver.resources;
  const task = descriptor.resources;
  return {
    cpus: own.cpus || task.cpus,
    heapMemoryMb: own.heapMemoryMb || task.heapMemoryMb,
    directMemoryMb: own.directMemoryMb || task.directMemoryMb,
    nativeMemoryMb: own.nativeMemoryMb || task.nativeMemoryMb,
  };
}
