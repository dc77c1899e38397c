/**
 * Application mode (Flink's `--target application`): the control plane always deploys a cluster
 * for the application, and `main()` runs in that cluster's job manager itself
 * (RunApplicationMain), with no slot. The cluster answers with the id of the DRIVER job that
 * stands for `main()`, so the relay of its events and FLIP-40's end rules are driver mode's. The
 * request id derived from the application keeps a resumed launch from starting `main()` twice.
 */
import { InvalidArgumentError } from '../../../common/errors.js';
import type { DispatcherGateway } from '../../clusters/DispatcherGateway.js';
import type { Application, ApplicationSubmission, ClusterTarget, DriverResources } from '../../model/Application.js';
import { ClusterMainMode } from './ClusterMainMode.js';
import { applicationRestoreOf } from '../../model/ApplicationSavepoint.js';
import { clusterWithBundle } from './clusterWithBundle.js';
import { describeTarget } from './describeTarget.js';
import type { LaunchedApplication, ModeServices, SubmissionModeStrategy } from './SubmissionModeStrategy.js';

/** `main()` in the job manager takes no slot. */
const NO_SLOT: DriverResources = { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 };

/** Application mode. */
export class ApplicationMode extends ClusterMainMode implements SubmissionModeStrategy {
  readonly mode = 'APPLICATION';

  /** `main()` runs in the cluster: the client never waits for the jobs. */
  detached(): boolean {
    return true;
  }

  /** `main()` takes no slot: a cluster deployed without a size has one per subtask. */
  defaultSlots(parallelism: number): number {
    return parallelism;
  }

  checkTarget(target: ClusterTarget): ClusterTarget {
    if (target.kind !== 'deploy') {
      throw new InvalidArgumentError(
        'APPLICATION mode always runs on a cluster of its own, deployed for the application and torn down at its end (main() runs in its job manager); drop -m/--cluster (cluster.deploy may set its size), or use DRIVER mode (-D) to run main() on that cluster',
      );
    }
    return target;
  }

  describeTarget(submission: ApplicationSubmission): string {
    return describeTarget(submission);
  }

  /** Not aborted by a cancellation once submitting: a submission cut off halfway could leave `main()` running unseen. */
  async launch(application: Application, services: ModeServices, signal: AbortSignal): Promise<LaunchedApplication> {
    const prepared = await clusterWithBundle(application, NO_SLOT, services, signal);
    const { cluster, gateway } = prepared;
    const jobId = await runMain(gateway, prepared.application);
    return {
      driverJobId: jobId,
      message: `driver job ${jobId} accepted by cluster ${cluster.id} (${cluster.jobmanagerAddress})`,
    };
  }
}

/** Starts `main()` in the job manager; resolves with the id of the job that stands for it. */
function runMain(gateway: DispatcherGateway, application: Application): Promise<string> {
  const applicationId = application.id;
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
    restore: applicationRestoreOf(application),
  });
}
