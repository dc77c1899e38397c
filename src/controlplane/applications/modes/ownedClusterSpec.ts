/**
 * The size of a cluster deployed for one driver-mode application. Slots divide a task executor's
 * resources evenly, so when the driver asks for more than a slot of the default size offers, the
 * task executors are made large enough that every slot fits the driver.
 */
import type { TaskExecutorDefaults } from '../../../deployment/DeploymentTarget.js';
import type { DriverResources } from '../../model/Application.js';
import type { ClusterSpec } from '../../model/Cluster.js';

/** `spec`, with task executor resources set when the driver would not fit a default slot. */
export function ownedClusterSpec(
  spec: ClusterSpec,
  driver: DriverResources,
  defaults: TaskExecutorDefaults,
): ClusterSpec {
  if (spec.taskExecutorResources) return spec;
  const slots = spec.slotsPerTaskExecutor;
  const driverMemoryMb = Math.max(driver.heapMemoryMb, driver.directMemoryMb, driver.nativeMemoryMb);
  const fitsCpus = driver.cpus <= defaults.cpus / slots;
  const fitsMemory = driverMemoryMb <= Math.floor(defaults.memoryMb / slots);
  if (fitsCpus && fitsMemory) return spec;
  const memoryMb = Math.max(defaults.memoryMb, driverMemoryMb * slots);
  return {
    ...spec,
    taskExecutorResources: {
      cpus: Math.max(defaults.cpus, driver.cpus * slots),
      heapMemoryMb: memoryMb,
      directMemoryMb: memoryMb,
      nativeMemoryMb: memoryMb,
    },
  };
}
