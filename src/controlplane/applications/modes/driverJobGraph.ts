/**
 * The job graph of an application's driver job (FLIP-40): one vertex of parallelism 1 whose only
 * operator runs the bundle's `main(env, args)` with the driver's resources, never restarted.
 */
import type { JobGraph } from '../../../jobgraph/jobGraph.js';
import type { Application } from '../../model/Application.js';

/** The driver job of `application`, which must name its bundle by artifact id. */
export function driverJobGraph(application: Application): JobGraph {
  if (!('artifactId' in application.bundle)) throw new Error(`application ${application.id} names no stored bundle`);
  const resources = { ...application.driverResources };
  return {
    name: `${application.name}: driver`,
    vertices: [
      {
        id: 'driver',
        name: 'Driver',
        parallelism: 1,
        operators: [
          {
            kind: 'driver',
            name: 'Driver',
            applicationId: application.id,
            applicationName: application.name,
            entry: application.entry,
            args: [...application.args],
            resources,
            defaultParallelism: application.parallelism,
            properties: { ...application.properties },
          },
        ],
        resources,
      },
    ],
    edges: [],
    bundle: { artifactId: application.bundle.artifactId },
    restartStrategy: { kind: 'none' },
    defaultParallelism: application.parallelism,
    properties: { ...application.properties },
  };
}
