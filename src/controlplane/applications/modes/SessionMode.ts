/**
 * Session mode (Flink's `-m`): `main()` runs in the client and submits its jobs to a cluster the
 * user names, a shared one this control plane deployed or a job manager started by hand. The
 * launch only gets that cluster the bundle.
 */
import { InvalidArgumentError } from '../../../common/errors.js';
import type { JobGraph } from '../../../jobgraph/jobGraph.js';
import type { Application, ApplicationSubmission, ClusterTarget } from '../../model/Application.js';
import { ClientMainMode } from './ClientMainMode.js';
import { clusterWithBundle } from './clusterWithBundle.js';
import { describeTarget } from './describeTarget.js';
import type {
  LaunchedApplication,
  ModeServices,
  SubmissionModeStrategy,
  SubmittedClientJob,
} from './SubmissionModeStrategy.js';

/** Session mode. */
export class SessionMode extends ClientMainMode implements SubmissionModeStrategy {
  readonly mode = 'SESSION';
  readonly clusterPerJob = false;

  /** As in driver mode, a cluster deployed without a size has room for the jobs and one more slot. */
  defaultSlots(parallelism: number): number {
    return parallelism + 1;
  }

  checkTarget(target: ClusterTarget): ClusterTarget {
    if (target.kind === 'deploy') {
      throw new InvalidArgumentError(
        'SESSION mode runs the jobs on a cluster you name: set cluster.jobmanager_address (-m HOST:PORT) or cluster.cluster_id (--cluster ID); for a cluster deployed on demand use PER_JOB (--target per-job) or DRIVER (-D) mode',
      );
    }
    return target;
  }

  describeTarget(submission: ApplicationSubmission): string {
    return describeTarget(submission);
  }

  async launch(application: Application, services: ModeServices, signal: AbortSignal): Promise<LaunchedApplication> {
    const { cluster } = await clusterWithBundle(application, application.driverResources, services, signal);
    return {
      message: `cluster ${cluster.id} (${cluster.jobmanagerAddress}) has the bundle; main() runs in the client and submits its jobs there`,
    };
  }

  async submitJob(
    application: Application,
    graph: JobGraph,
    requestId: string,
    { clusters }: ModeServices,
  ): Promise<SubmittedClientJob> {
    const gateway = await clusters.gateway(application.clusterId);
    const jobId = await gateway.submitJob({
      graph,
      livingPriority: 'NORMAL',
      applicationId: application.id,
      requestId,
    });
    return { jobId, clusterId: application.clusterId };
  }
}
