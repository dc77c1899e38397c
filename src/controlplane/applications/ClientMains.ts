/**
 * The `main()`s that run in clients (session and per-job modes): their heartbeats, their reported
 * end (CompleteClientMain, or a client taken as lost), and what cancelling such an application
 * means. A client-side `main()`'s end decides the application's outcome as a driver job would;
 * its end is published (`clientMainEnded`) for what waits on it (per-job clusters). Applications
 * whose `main()` runs in the cluster are refused by their mode.
 */
import type { Logger } from '../../common/logger.js';
import type { SerializedError } from '../../common/status.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ApplicationLauncher } from './ApplicationLauncher.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { ClientHeartbeats } from './ClientHeartbeats.js';
import type { ClusterEventRouter } from './ClusterEventRouter.js';
import type { JobCanceller } from './JobCanceller.js';
import { submissionModeOf } from './modes/submissionModes.js';

/** What the client-side main()s need. */
export interface ClientMainsOptions {
  applications: ApplicationStore;
  lifecycle: ApplicationLifecycle;
  router: ClusterEventRouter;
  launcher: ApplicationLauncher;
  heartbeats: ClientHeartbeats;
  jobs: JobCanceller;
  publisher: ControlPlaneEventPublisher;
  logger: Logger;
}

/** Answers for client-side main()s. */
export class ClientMains {
  constructor(private readonly options: ClientMainsOptions) {}

  /** An application was accepted: when its `main()` runs in the client, that client gets a whole heartbeat timeout from now. */
  accepted(application: Application): void {
    if (submissionModeOf(application).clientRunsMain) this.options.heartbeats.watch(application.id);
  }

  /**
   * Takes in the end of a session or per-job application's client-side main(): it returned, or
   * threw `failure`. A failure cancels the application's other jobs (FLIP-40's rule for a failed
   * driver); either way the application ends once its jobs have. Reporting again changes nothing.
   * FAILED_PRECONDITION for an application whose main() runs in the cluster.
   */
  async complete(applicationId: string, failure: SerializedError | undefined): Promise<Application> {
    const { applications, lifecycle, router } = this.options;
    const application = await applications.get(applicationId);
    submissionModeOf(application).requireClientMain(application, 'CompleteClientMain');
    if (isTerminalApplicationStatus(application.status) || application.clientMainEndTime) return application;
    await applications.update(applicationId, { clientMainEndTime: new Date(), clientMainFailure: failure });
    if (application.status === 'CREATED' || application.status === 'DEPLOYING') {
      // main() ended before it could submit a job (SubmitJob waits for RUNNING): nothing runs, so it decides alone.
      this.options.launcher.abort(applicationId);
      const message = failure
        ? `main() in the client failed before the application was RUNNING: ${failure.message}`
        : 'main() in the client returned before the application was RUNNING, without a job';
      await lifecycle.changeStatus(applicationId, failure ? 'FAILED' : 'FINISHED', { message, failure });
      return applications.get(applicationId);
    }
    this.options.logger.info({ applicationId, failed: failure !== undefined }, 'client main() ended');
    if (failure) {
      await lifecycle.changeStatus(applicationId, 'FAILING', {
        message: `main() in the client failed: ${failure.message}`,
        failure,
      });
      await this.options.jobs.cancelJobs(applicationId, 'main() in the client failed');
    }
    await this.options.publisher.publish({ type: 'clientMainEnded', applicationId });
    await router.clientMainEnded(applicationId, failure);
    return applications.get(applicationId);
  }

  /**
   * Records a heartbeat of the client running a session or per-job application's main() (in the
   * store, for whichever replica watches the application); returns
   * the timeout the client must beat within, and the application's status. FAILED_PRECONDITION for
   * an application whose main() runs in the cluster.
   */
  async heartbeat(applicationId: string): Promise<{ timeoutMs: number; application: Application }> {
    const application = await this.options.applications.get(applicationId);
    submissionModeOf(application).requireClientMain(application, 'ClientHeartbeat');
    await this.options.heartbeats.seen(applicationId);
    return { timeoutMs: this.options.heartbeats.timeoutMs, application };
  }

  /** Cancels a CANCELING application whose `main()` runs in the client: its jobs are cancelled, and it ends CANCELED once they have. */
  async cancel(applicationId: string): Promise<void> {
    await this.options.jobs.cancelJobs(applicationId, 'the application is cancelled');
    await this.options.router.settle(applicationId);
  }
}
