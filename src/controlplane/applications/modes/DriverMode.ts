/**
 * Driver mode (FLIP-40, `flotilla run -D`): `main()` runs as a driver job in a task executor slot
 * of the application's cluster (deployed for it, shared, or a job manager started by hand), which
 * reports the application's end. The driver job is submitted under a request id derived from the
 * application and the driver attempt, so a launch resumed after a restart cannot start a second
 * driver; a later attempt (DriverAttempts) launches again with the next request id.
 */
import { InvalidArgumentError } from '../../../common/errors.js';
import type { Application, ApplicationSubmission, ClusterTarget } from '../../model/Application.js';
import { ClusterMainMode } from './ClusterMainMode.js';
import { clusterWithBundle } from './clusterWithBundle.js';
import { describeTarget } from './describeTarget.js';
import { driverJobGraph } from './driverJobGraph.js';
import { currentAttempt } from '../../model/DriverAttempt.js';
import { applicationRestoreOf } from '../../model/ApplicationSavepoint.js';
import type { LaunchedApplication, ModeServices, SubmissionModeStrategy } from './SubmissionModeStrategy.js';

/** Driver mode. */
export class DriverMode extends ClusterMainMode implements SubmissionModeStrategy {
  readonly mode = 'DRIVER';

  /** A driver runs in the cluster: the client never waits for the jobs, and may not ask to. */
  detached(requested: boolean): boolean {
    if (requested) {
      throw new InvalidArgumentError(
        'detached cannot be combined with DRIVER mode: a driver-mode application always runs detached from the client (the CLI returns once the driver is accepted); use --follow to watch it instead of -d',
      );
    }
    return true;
  }

  /** The driver and a job of `parallelism` fit a cluster deployed without a size. */
  defaultSlots(parallelism: number): number {
    return parallelism + 1;
  }

  checkTarget(target: ClusterTarget): ClusterTarget {
    return target;
  }

  describeTarget(submission: ApplicationSubmission): string {
    return describeTarget(submission);
  }

  /** Not aborted by a cancellation once submitting: a submission cut off halfway could leave a driver running unseen. */
  async launch(application: Application, services: ModeServices, signal: AbortSignal): Promise<LaunchedApplication> {
    const prepared = await clusterWithBundle(application, application.driverResources, services, signal);
    const { cluster, gateway } = prepared;
    const applicationId = prepared.application.id;
    const attempt = currentAttempt(prepared.application);
    const jobId = await gateway.submitJob({
      graph: driverJobGraph(prepared.application),
      livingPriority: 'DRIVER',
      applicationId,
      // Each driver attempt has a request id of its own (the first keeps the one it always had).
      requestId: attempt === 1 ? `${applicationId}/driver` : `${applicationId}/driver/${attempt}`,
      driverReplay: await services.driverReplay?.(prepared.application),
      restore: applicationRestoreOf(prepared.application),
    });
    return {
      driverJobId: jobId,
      message: `${attempt === 1 ? '' : `driver attempt ${attempt}: `}driver job ${jobId} accepted by cluster ${cluster.id} (${cluster.jobmanagerAddress})`,
    };
  }
}
