/**
 * When the cluster of a per-job application's job is torn down. As in Flink's attached per-job
 * mode, the cluster outlives its job until the client has the job's result (its collected records
 * live on that cluster): it goes once its job ended and either the client received the result, or
 * the client's `main()` reported its end, or the application ended. Whatever is still up when the
 * application ends goes with it (see ApplicationCleanup). Which applications have a cluster per
 * job is their mode's to say; the wiring tells it of ended jobs, delivered results and ended
 * client-side main()s through the control plane's events.
 */
import type { Logger } from '../../common/logger.js';
import { isTerminalJobStatus } from '../../common/status.js';
import { submissionModeOf } from '../applications/modes/submissionModes.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { JobStore } from '../store/JobStore.js';

/** What the policy needs. */
export interface PerJobClustersOptions {
  applications: ApplicationStore;
  jobs: JobStore;
  clusters: ClusterManager;
  logger: Logger;
}

/** Tears down per-job clusters once nobody needs them. */
export class PerJobClusters {
  /** Jobs whose result a client received (kept in memory: after a restart the cluster waits for the application's end instead). */
  private readonly delivered = new Set<string>();

  constructor(private readonly options: PerJobClustersOptions) {}

  /** A client received the job's result. */
  resultDelivered(jobId: string): void {
    this.delivered.add(jobId);
    this.considerLater(jobId);
  }

  /** The job reached a terminal status. */
  jobEnded(jobId: string): void {
    this.considerLater(jobId);
  }

  /** The application's client-side main() reported its end: the clusters of its ended jobs are no longer needed. */
  async clientMainEnded(applicationId: string): Promise<void> {
    for (const job of await this.options.jobs.ofApplication(applicationId)) await this.consider(job.id);
  }

  private considerLater(jobId: string): void {
    this.consider(jobId).catch((error: unknown) =>
      this.options.logger.error({ err: error, jobId }, 'could not decide on the cluster of a per-job job'),
    );
  }

  private async consider(jobId: string): Promise<void> {
    const { applications, jobs, clusters } = this.options;
    const job = await jobs.find(jobId);
    if (!job || !isTerminalJobStatus(job.status)) return;
    const application = await applications.find(job.applicationId);
    if (!application || !submissionModeOf(application).clusterPerJob) return;
    if (
      !this.delivered.has(jobId) &&
      !application.clientMainEndTime &&
      !isTerminalApplicationStatus(application.status)
    )
      return;
    this.delivered.delete(jobId);
    const cluster = await clusters.get(job.clusterId);
    if (isTerminalClusterStatus(cluster.status) || cluster.ownerApplicationId !== application.id) return;
    this.options.logger.info(
      { applicationId: application.id, jobId, clusterId: cluster.id },
      'tearing down the cluster of an ended per-job job',
    );
    void clusters.tearDownOwned(cluster.id, `its job ${jobId} ended ${job.status}`);
  }
}
