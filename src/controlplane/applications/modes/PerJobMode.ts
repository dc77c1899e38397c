/**
 * Per-job mode (Flink's `--target per-job`): `main()` runs in the client, and every job it submits
 * gets a new cluster of its own, sized for the job, owned by the application and torn down once
 * the job is done with (see jobs/PerJobClusters.ts). The application itself has no cluster, so
 * its launch has nothing to deploy.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../../../common/errors.js';
import type { JobGraph } from '../../../jobgraph/jobGraph.js';
import type { Application, ApplicationSubmission, ClusterTarget } from '../../model/Application.js';
import type { ClusterSpec } from '../../model/Cluster.js';
import { ClientMainMode } from './ClientMainMode.js';
import { describeSize } from './describeTarget.js';
import type {
  LaunchedApplication,
  ModeServices,
  SubmissionModeStrategy,
  SubmittedClientJob,
} from './SubmissionModeStrategy.js';
import { uploadApplicationBundle } from './uploadApplicationBundle.js';

/** Per-job mode. */
export class PerJobMode extends ClientMainMode implements SubmissionModeStrategy {
  readonly mode = 'PER_JOB';
  readonly clusterPerJob = true;

  /** A job's cluster has a slot per subtask of its widest vertex; main() takes none. */
  defaultSlots(parallelism: number): number {
    return parallelism;
  }

  checkTarget(target: ClusterTarget): ClusterTarget {
    if (target.kind !== 'deploy') {
      throw new InvalidArgumentError(
        "PER_JOB mode deploys a new cluster for every job and cannot use a named cluster; drop -m/--cluster (cluster.deploy may set the size of each job's cluster), or use SESSION mode to run on that cluster",
      );
    }
    return target;
  }

  describeTarget(submission: ApplicationSubmission): string {
    return `main() runs in the client; each job it submits gets a new cluster of ${describeSize(submission)} (or more slots when the job needs them)`;
  }

  launch(): Promise<LaunchedApplication> {
    return Promise.resolve({ message: 'main() runs in the client; every job it submits gets a cluster of its own' });
  }

  /** Deploys a cluster sized for the job, gives it the bundle, submits the job; a failure after the deployment stops the cluster again. */
  async submitJob(
    application: Application,
    graph: JobGraph,
    requestId: string,
    { clusters, artifacts, logger }: ModeServices,
    signal: AbortSignal,
  ): Promise<SubmittedClientJob> {
    const cluster = await clusters.deployForJob(application, perJobSpec(application, graph), signal);
    try {
      const gateway = await clusters.gateway(cluster.id);
      await uploadApplicationBundle(artifacts, gateway, application, signal);
      const jobId = await gateway.submitJob({
        graph,
        livingPriority: 'NORMAL',
        applicationId: application.id,
        requestId,
      });
      logger.info({ applicationId: application.id, jobId, clusterId: cluster.id }, 'per-job cluster runs its job');
      return { jobId, clusterId: cluster.id };
    } catch (error) {
      void clusters.tearDownOwned(cluster.id, `its job could not be submitted: ${(error as Error).message}`);
      throw error;
    }
  }
}

/** The application's per-job cluster size, with enough slots for the job's widest vertex (slot sharing: parallelism P needs P slots). */
function perJobSpec(application: Application, graph: JobGraph): ClusterSpec {
  if (application.target.kind !== 'deploy')
    throw new FailedPreconditionError(`application ${application.id} names no cluster size to deploy`);
  const spec = application.target.spec;
  const widest = Math.max(1, ...graph.vertices.map((vertex) => vertex.parallelism || graph.defaultParallelism || 1));
  const slots = Math.max(spec.slotsPerTaskExecutor, Math.ceil(widest / spec.taskExecutors));
  return { ...spec, slotsPerTaskExecutor: slots };
}
