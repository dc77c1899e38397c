/**
 * The main job of an application in application mode: the job that stands for `main()` while it
 * runs in the job manager's own process. Its graph has no vertex (it has no task and takes no
 * slot); it carries the application's name, bundle and settings, and is never restarted (running
 * `main()` again would submit its jobs twice). `main()` itself is deployed as a driver operator,
 * the same one a driver job's task runs, so it loads and runs exactly as in driver mode.
 */
import { newId } from '../common/ids.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { ApplicationMainSubmission } from './DispatcherRequests.js';

/** The vertex id and name `main()` is deployed under (it is not a vertex of the job's graph). */
export const MAIN_VERTEX = { id: 'main', name: 'Main' } as const;

/** The main job's graph: a name, the bundle and the settings, and no vertex. */
export function applicationMainJobGraph(submission: ApplicationMainSubmission): JobGraph {
  return {
    name: `${submission.applicationName}: main`,
    vertices: [],
    edges: [],
    bundle: submission.bundle,
    restartStrategy: { kind: 'none' },
    defaultParallelism: submission.defaultParallelism,
    properties: { ...submission.properties },
  };
}

/** How `main()` of `submission` is deployed in the job manager: one driver operator, run as main job `jobId`. */
export function applicationMainDeployment(
  submission: ApplicationMainSubmission,
  jobId: string,
  jobmanagerAddress: string,
): TaskDeploymentDescriptor {
  const resources = { ...submission.resources, cpus: 0 };
  return {
    jobId,
    jobName: `${submission.applicationName}: main`,
    vertexId: MAIN_VERTEX.id,
    vertexName: MAIN_VERTEX.name,
    subtaskIndex: 0,
    parallelism: 1,
    attemptNumber: 0,
    executionAttemptId: newId('attempt'),
    // main() runs in no slot.
    allocationId: '',
    operators: [
      {
        kind: 'driver',
        name: MAIN_VERTEX.name,
        applicationId: submission.applicationId,
        applicationName: submission.applicationName,
        entry: submission.entry,
        args: [...submission.args],
        resources,
        defaultParallelism: submission.defaultParallelism,
        properties: { ...submission.properties },
      },
    ],
    inputs: [],
    outputs: [],
    bundle: submission.bundle,
    resources,
    applicationId: submission.applicationId,
    jobmanagerAddress,
  };
}
