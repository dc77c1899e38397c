/**
 * What follows an application's end (after its driver's last output was copied): the clusters
 * deployed for it are torn down (its own, and per-job ones still up), the jobs a client-side
 * `main()` left running on a shared cluster are cancelled, an external cluster is let go, and the
 * router forgets it.
 */
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { Application } from '../model/Application.js';
import type { ClusterEventRouter } from './ClusterEventRouter.js';
import type { JobCanceller } from './JobCanceller.js';
import { submissionModeOf } from './modes/submissionModes.js';

/** What the cleanup needs. */
export interface ApplicationCleanupOptions {
  clusters: ClusterManager;
  router: ClusterEventRouter;
  jobs: JobCanceller;
}

/** Cleans up after ended applications. */
export class ApplicationCleanup {
  constructor(private readonly options: ApplicationCleanupOptions) {}

  /** What follows an application's end: its owned cluster is torn down, an external one let go. */
  async applicationEnded(application: Application): Promise<void> {
    this.options.router.forget(application.id);
    // Per-job clusters, and daemon jobs a client-side main() left on a shared cluster, end with the application.
    for (const cluster of await this.options.clusters.activeOwnedBy(application.id)) {
      if (cluster.id !== application.clusterId)
        void this.options.clusters.tearDownOwned(
          cluster.id,
          `application ${application.id} ended ${application.status}`,
        );
    }
    if (submissionModeOf(application).clientRunsMain)
      await this.options.jobs.cancelJobs(application.id, `application ended ${application.status}`);
    if (!application.clusterId) return;
    if (application.ownsCluster)
      void this.options.clusters.tearDownOwned(
        application.clusterId,
        `application ${application.id} ended ${application.status}`,
      );
    else await this.options.clusters.releaseExternal(application.clusterId);
  }
}
