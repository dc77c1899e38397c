/**
 * Starts driver-mode applications in the background, after RunApplication has answered: finds or
 * deploys the application's cluster, uploads its bundle to the cluster's blob server and submits
 * the driver job (under a request id derived from the application, so that resuming after a
 * restart cannot start a second driver), or in application mode starts main() in the cluster's
 * job manager instead ({@link launchMain}). A cancellation stops a deployment or upload under way;
 * a submission is let finish and its job then cancelled, so that no driver is left behind.
 */
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import { FailedPreconditionError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { serializeError } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { isTerminalClusterStatus, type Cluster } from '../model/Cluster.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import { launchMain, mainSlotResources } from './launchMain.js';
import { uploadApplicationBundle } from './uploadApplicationBundle.js';
import { ownedClusterSpec } from './ownedClusterSpec.js';

/** What the launcher needs. */
export interface DriverLauncherOptions {
  applications: ApplicationStore;
  clusters: ClusterManager;
  artifacts: ArtifactStore;
  lifecycle: ApplicationLifecycle;
  logger: Logger;
  /** True once the control plane is shutting down: work in flight is then left for the next start to resume. */
  closing(): boolean;
}

/** Launches driver-mode applications. */
export class DriverLauncher {
  private readonly launches = new Map<string, AbortController>();

  constructor(private readonly options: DriverLauncherOptions) {}

  /** Starts launching the application in the background (once). */
  launch(applicationId: string): void {
    if (this.launches.has(applicationId)) return;
    const controller = new AbortController();
    this.launches.set(applicationId, controller);
    void this.run(applicationId, controller.signal)
      .catch((error: unknown) => {
        if (!this.options.closing())
          this.options.logger.error({ err: error, applicationId }, 'launching the application failed unexpectedly');
      })
      .finally(() => this.launches.delete(applicationId));
  }

  /** Whether the application is being launched now. */
  launching(applicationId: string): boolean {
    return this.launches.has(applicationId);
  }

  /** Stops a deployment or upload under way for the application (a cancellation). */
  abort(applicationId: string): void {
    this.launches.get(applicationId)?.abort();
  }

  /** Stops every launch under way, at shutdown: what they deployed is stopped, and the next start launches them again. */
  close(): void {
    for (const controller of this.launches.values()) controller.abort();
  }

  private async run(applicationId: string, signal: AbortSignal): Promise<void> {
    const { applications, clusters, artifacts, lifecycle } = this.options;
    try {
      if ((await applications.get(applicationId)).mode === 'PER_JOB') {
        await lifecycle.changeStatus(applicationId, 'RUNNING', {
          message: 'main() runs in the client; every job it submits gets a cluster of its own',
        });
        return;
      }
      const cluster = await this.clusterFor(await applications.get(applicationId), signal);
      const gateway = await clusters.gateway(cluster.id);
      const application = await applications.get(applicationId);
      await uploadApplicationBundle(artifacts, gateway, application, signal);
      signal.throwIfAborted();
      if (application.mode === 'SESSION') {
        const message = `cluster ${cluster.id} (${cluster.jobmanagerAddress}) has the bundle; main() runs in the client and submits its jobs there`;
        await lifecycle.changeStatus(applicationId, 'RUNNING', { message });
        return;
      }
      // Not aborted by a cancellation: a submission cut off halfway could leave a driver running unseen.
      const jobId = await launchMain(gateway, application);
      if (!(await applications.get(applicationId)).driverJobId)
        await applications.update(applicationId, { driverJobId: jobId });
      await lifecycle.changeStatus(applicationId, 'RUNNING', {
        message: `driver job ${jobId} accepted by cluster ${cluster.id} (${cluster.jobmanagerAddress})`,
      });
      const launched = await applications.get(applicationId);
      if (launched.status === 'CANCELING') await this.cancelDriver(launched);
    } catch (error) {
      if (this.options.closing()) return;
      const application = await applications.get(applicationId);
      if (isTerminalApplicationStatus(application.status)) return;
      if (application.status === 'CANCELING') {
        if (application.driverJobId) await this.cancelDriver(application);
        else
          await lifecycle.changeStatus(applicationId, 'CANCELED', { message: 'cancelled before its driver started' });
        return;
      }
      const message = `the driver could not be started: ${(error as Error).message}`;
      await lifecycle.changeStatus(applicationId, 'FAILED', { message, failure: serializeError(error) });
    }
  }

  /**
   * The cluster the application runs on: the one it has when its launch is resumed after a restart
   * (a new one when the restart interrupted the deployment of its own), or one found or deployed for it.
   */
  private async clusterFor(application: Application, signal: AbortSignal): Promise<Cluster> {
    const { clusters, applications } = this.options;
    if (application.clusterId) {
      const cluster = await clusters.get(application.clusterId);
      if (cluster.status === 'RUNNING') return cluster;
      if (!application.ownsCluster || !isTerminalClusterStatus(cluster.status))
        throw new FailedPreconditionError(`its cluster ${cluster.id} is ${cluster.status}`);
    }
    const target = application.target;
    switch (target.kind) {
      case 'deploy':
        return clusters.deployOwned(
          application,
          ownedClusterSpec(target.spec, mainSlotResources(application), clusters.taskExecutorDefaults),
          signal,
        );
      case 'cluster': {
        const cluster = await clusters.useShared(target.clusterId, application.tenant);
        await applications.update(application.id, { clusterId: cluster.id });
        return cluster;
      }
      case 'jobmanager': {
        const cluster = await clusters.useExternal(target.address, application.tenant, signal);
        await applications.update(application.id, { clusterId: cluster.id });
        return cluster;
      }
    }
  }

  /** Asks the cluster to cancel the driver job; the cluster's report (or the job's end) ends the application. */
  async cancelDriver(application: Application): Promise<void> {
    try {
      await (await this.options.clusters.gateway(application.clusterId)).cancelJob(application.driverJobId);
    } catch (error) {
      this.options.logger.warn(
        { err: error, applicationId: application.id },
        'could not cancel the driver job; the application ends when its cluster reports it or is lost',
      );
    }
  }
}
