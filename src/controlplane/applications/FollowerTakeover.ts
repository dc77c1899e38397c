/**
 * What a replica does with the leases it takes (at start, or over from a replica that stopped
 * renewing them): a cluster is picked up as a restarted control plane picks up each of its clusters
 * (ClusterManager.recoverCluster: followed again from its last stored job-event sequence, an
 * interrupted deployment recorded failed, an interrupted teardown finished), then the applications
 * on it (ApplicationRecovery, as the cluster's follower, and their launches when this replica holds
 * their leases too) and their driver-log copies; an application's own lease brings its launch. A
 * subject that has ended has its lease dropped.
 */
import type { Logger } from '../../common/logger.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { FollowerLeases } from '../clusters/FollowerLeases.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { StoreScope } from '../store/ControlPlaneStore.js';
import type { ApplicationRecovery } from './ApplicationRecovery.js';

/** What the takeover needs. */
export interface FollowerTakeoverOptions {
  store: StoreScope;
  clusters: ClusterManager;
  recovery: ApplicationRecovery;
  leases: FollowerLeases;
  /** Starts copying the application's driver log if this replica follows its cluster. */
  considerDriverLog(applicationId: string): void;
  logger: Logger;
}

/** Picks up what a replica takes the leases of. */
export class FollowerTakeover {
  constructor(private readonly options: FollowerTakeoverOptions) {}

  /** Picks up the subjects (clusters first, so that their applications see them recovered). */
  async adopt(subjectIds: readonly string[]): Promise<void> {
    const { store } = this.options;
    const clusters = [];
    const applications = [];
    for (const subjectId of subjectIds) {
      const cluster = await store.clusters.find(subjectId);
      if (cluster) clusters.push(cluster);
      else applications.push(subjectId);
    }
    for (const cluster of clusters) {
      await this.attempt(cluster.id, async () => {
        if (isTerminalClusterStatus(cluster.status)) {
          this.options.leases.ended(cluster.id);
          return;
        }
        this.options.logger.info(
          { clusterId: cluster.id, status: cluster.status, afterSequence: cluster.lastJobEventSequence },
          'following the cluster from its last stored job event',
        );
        await this.options.clusters.recoverCluster(cluster);
        for (const application of await store.applications.activeOnCluster(cluster.id)) {
          const launch = this.options.leases.holds(application.id);
          await this.options.recovery.recoverApplication(application, { launch, cluster: true });
          this.options.considerDriverLog(application.id);
        }
      });
    }
    for (const applicationId of applications) {
      await this.attempt(applicationId, async () => {
        const application = await store.applications.find(applicationId);
        if (!application || isTerminalApplicationStatus(application.status)) {
          this.options.leases.ended(applicationId);
          return;
        }
        // A launch cut off while its own cluster was being deployed: that cluster is picked up first
        // (recorded failed, its processes stopped), then the launch deploys a new one; when another
        // replica is picking the cluster up right now (or this one is, or is still deploying it), the
        // launch waits for a later look.
        const cluster = application.clusterId ? await store.clusters.find(application.clusterId) : undefined;
        // (Between two driver attempts, the next one's launch is the same.)
        const launching =
          application.status === 'DEPLOYING' ||
          application.status === 'CREATED' ||
          (application.status === 'RUNNING' && application.attempts.length > 1 && !application.driverJobId);
        if (launching && cluster && cluster.status !== 'RUNNING' && !isTerminalClusterStatus(cluster.status)) {
          if (this.options.leases.holds(cluster.id) || !(await this.options.leases.take(cluster.id))) {
            await this.options.leases.letGo(applicationId);
            return;
          }
          await this.options.clusters.recoverCluster(cluster);
        }
        await this.options.recovery.recoverApplication(application, { launch: true, cluster: false });
      });
    }
  }

  private async attempt(subjectId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.logger.error({ err: error, subjectId }, 'picking up what was taken over failed');
    }
  }
}
