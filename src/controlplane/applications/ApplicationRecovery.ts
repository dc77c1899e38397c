/**
 * Resumes the applications a restart interrupted, once the clusters were recovered: launches are
 * resumed (their steps can be repeated safely), applications whose cluster ended meanwhile are
 * ended, and the others are followed through their clusters again.
 */
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { Application } from '../model/Application.js';
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

/**
 * What of an application a process picks up: its launch (held by the process that holds the
 * application's lease), what its live cluster's follower does (held by the process that holds the
 * cluster's lease), or both (the only process on its store, after a restart).
 */
export interface RecoveredRoles {
  launch: boolean;
  cluster: boolean;
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
    for (const application of await this.options.applications.active())
      await this.recoverApplication(application, { launch: true, cluster: true });
  }

  /** Picks up one application in the roles this process holds (see {@link RecoveredRoles}). */
  async recoverApplication(application: Application, roles: RecoveredRoles): Promise<void> {
    const { clusters, launcher, lifecycle, router } = this.options;
    const clientRunsMain = submissionModeOf(application).clientRunsMain;
    if (application.status === 'DEPLOYING' || application.status === 'CREATED') {
      if (roles.launch) launcher.launch(application.id);
      return;
    }
    if (clientRunsMain && !application.clusterId) {
      if (roles.launch) await router.settle(application.id);
      return;
    }
    if (application.status === 'CANCELING' && !application.driverJobId && !clientRunsMain) {
      if (roles.launch)
        await lifecycle.changeStatus(application.id, 'CANCELED', { message: 'cancelled before its driver started' });
      return;
    }
    const cluster = application.clusterId ? await clusters.get(application.clusterId) : undefined;
    if (!cluster || isTerminalClusterStatus(cluster.status)) {
      await router.endWithCluster(application, application.clusterId || '(none)', {
        lost: true,
        reason: `it ended while the control plane was down (${cluster?.status ?? 'unknown'})`,
      });
    } else if (roles.cluster) {
      // A cancellation answered just before the control plane stopped may never have reached the cluster.
      if (application.status === 'CANCELING' && application.driverJobId) void launcher.cancelDriver(application);
      await router.considerImpliedOutcome(application.id);
    }
  }
}
