/**
 * Cancels the jobs of an application on the clusters that run them: what cancelling a session or
 * per-job application means (its `main()` runs in the client, so its jobs are all there is), and
 * what a failed or ended client-side `main()` leaves behind. The clusters' reports end the jobs.
 */
import type { Logger } from '../../common/logger.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { JobStore } from '../store/JobStore.js';

/** What the canceller needs. */
export interface JobCancellerOptions {
  jobs: JobStore;
  clusters: ClusterManager;
  logger: Logger;
}

/** Cancels an application's jobs. */
export class JobCanceller {
  constructor(private readonly options: JobCancellerOptions) {}

  /** Asks the clusters to cancel the application's jobs that have not ended (all, or only DAEMON ones). */
  async cancelJobs(applicationId: string, reason: string, only?: 'DAEMON'): Promise<void> {
    for (const job of await this.options.jobs.ofApplication(applicationId)) {
      if (isTerminalJobStatus(job.status) || (only && job.livingPriority !== only)) continue;
      this.options.clusters
        .gateway(job.clusterId)
        .then((gateway) => gateway.cancelJob(job.id))
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, applicationId, jobId: job.id, reason },
            'could not cancel a job of the application',
          ),
        );
    }
  }
}
