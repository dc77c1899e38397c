/**
 * Which tasks may share a kept worker thread (TaskWorkerLibraryCache): those of the same bundle
 * artifact (content-addressed, so its modules on disk never change under a loaded isolate) that
 * ask for the same heap limit (a worker's `resourceLimits` are fixed at its start). A driver's
 * task never shares: it owns its console (captured and forwarded per task) and its heap limit,
 * and its `main()` keeps clients and timers of its own. Nor does a task whose functions come from
 * a bundle folder named by URI or from local modules: those files may change between jobs.
 */
import { driverOperatorOf } from '../../driver/driverOperatorOf.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';

/** The key under which the task's worker may be kept and reused, or undefined when it must not be. */
export function workerReuseKey(descriptor: TaskDeploymentDescriptor, heapMb: number): string | undefined {
  if (driverOperatorOf(descriptor) || descriptor.bundle === undefined || !('artifactId' in descriptor.bundle))
    return undefined;
  return `${descriptor.bundle.artifactId}/heap=${heapMb}`;
}
