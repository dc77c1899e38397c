/**
 * Where an application's `main()` starts once its cluster has the bundle, by mode: in DRIVER mode
 * as a driver job in a task executor slot (FLIP-40); in APPLICATION mode in the job manager process
 * itself (RunApplicationMain), with no slot. Either way the cluster answers with the id of the
 * DRIVER job that stands for `main()`, and the rest of the launch, the relay of its events and
 * FLIP-40's end rules are the same. Both submissions carry a request id derived from the
 * application, so a launch resumed after a restart cannot start `main()` twice.
 */
import type { DispatcherGateway } from '../clusters/DispatcherGateway.js';
import type { Application, DriverResources } from '../model/Application.js';
import { driverJobGraph } from './driverJobGraph.js';

/** Starts `main()` of `application` on the cluster behind `gateway`; resolves with the id of the job that stands for it. */
export function launchMain(gateway: DispatcherGateway, application: Application): Promise<string> {
  const applicationId = application.id;
  if (application.mode !== 'APPLICATION') {
    return gateway.submitJob({
      graph: driverJobGraph(application),
      livingPriority: 'DRIVER',
      applicationId,
      requestId: `${applicationId}/driver`,
    });
  }
  if (!('artifactId' in application.bundle)) throw new Error(`application ${applicationId} names no stored bundle`);
  const { heapMemoryMb, directMemoryMb, nativeMemoryMb } = application.driverResources;
  return gateway.runApplicationMain({
    applicationId,
    applicationName: application.name,
    bundle: { artifactId: application.bundle.artifactId },
    entry: application.entry,
    args: [...application.args],
    defaultParallelism: application.parallelism,
    properties: { ...application.properties },
    // The driver's memory limits apply to main()'s worker in the job manager; it asks for no cpus (no slot).
    resources: { cpus: 0, heapMemoryMb, directMemoryMb, nativeMemoryMb },
    requestId: `${applicationId}/main`,
  });
}

/** What `main()` needs from a slot of the application's cluster: the driver's resources in DRIVER mode, nothing in APPLICATION mode. */
export function mainSlotResources(application: Application): DriverResources {
  return application.mode === 'APPLICATION'
    ? { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 }
    : application.driverResources;
}
