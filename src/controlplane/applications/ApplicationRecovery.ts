/**
 * Resumes the applications a restart interrupted, once the clusters were recovered: launches are
 * resumed (their steps can be repeated safely), applications whose cluster ended meanwhile are
 * ended, and the others are followed through their clusters again.
 */
import type { ClusterManager } from '../clusters/ClusterManager.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ApplicationLauncher } from './ApplicationLauncher.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { ClusterEventRouter } from './ClusterEventRouter.js';
import { submissionModeOf } from './modes/submissionModes.js';

/** What the recovery needs. */
export interface ApplicationRecoveryOptions {
  applications: ApplicationStore;
  clusters: ClusterManager;
  launcher: ApplicationLauncher;
  lifecycle: ApplicationLifecycle;
  router: ClusterEventRouter;
}

/** Picks up applications after a restart. */
export class ApplicationRecovery {
  constructor(private readonly options: ApplicationRecoveryOptions) {}

  /**
   * Resumes the applications a restart interrupted (after the clusters were recovered): launches
   * are resumed (their steps can be repeated safely), and running applications whose cluster has
   * ended are ended; the others are followed through their clusters.
   */
  async recover(): Promise<void> {
    const { applications, clusters, launcher, lifecycle, router } = this.options;
    for (const application of await applications.active()) {
      const clientRunsMain = submissionModeOf(application).clientRunsMain;
      if (application.status === 'DEPLOYING' || application.status === 'CREATED') {
        launcher.launch(application.id);
        continue;
      }
      // Between two driver attempts: the next one's launch is resumed (on a new cluster if its own is gone).
      if (application.status === 'RUNNING' && application.attempts.length > 1 && !application.driverJobId) {
        launcher.launch(application.id);
        continue;
      }
      if (clientRunsMain && !application.clusterId) {
        await router.settle(application.id);
        continue;
      }
      if (application.status === 'CANCELING' && !application.driverJobId && !clientRunsMain) {
        await lifecycle.changeStatus(application.id, 'CANCELED', { message: 'cancelled before its driver started' });
        continue;
      }
      const cluster = application.clusterId ? await clusters.get(application.clusterId) : undefined;
      if (!cluster || isTerminalClusterStatus(cluster.status)) {
        await router.endWithCluster(application, application.clusterId || '(none)', {
          lost: true,
          reason: `it ended while the control plane was down (${cluster?.status ?? 'unknown'})`,
        });
      } else {
        // A cancellation answered just before the control plane stopped may never have reached the cluster.
        if (application.status === 'CANCELING' && application.driverJobId) void launcher.cancelDriver(application);
        await router.considerImpliedOutcome(application.id);
      }
    }
  }
}
