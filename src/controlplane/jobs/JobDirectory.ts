/**
 * The jobs of the control plane's applications, whatever submitted them (a driver in the cluster,
 * or a client-side main() through SubmitJob): GetJob and ListJobs answer from the store, CancelJob
 * and RequestJobResult go to the cluster that runs the job. A job whose cluster is gone still
 * answers its result from the store (without records, which lived on that cluster). A result
 * sent to a client is published (`jobResultDelivered`): a per-job cluster may go once it is.
 */
import { UnavailableError } from '../../common/errors.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { JobResultPart } from '../clusters/DispatcherGateway.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { Job } from '../model/Job.js';
import type { JobListRequest, JobPage, JobStore } from '../store/JobStore.js';

/**
 * What RequestJobResult answers, part by part: what the cluster sent, or, once the cluster is gone,
 * the job as the store keeps it (its result without records).
 */
export type JobResultAnswer = JobResultPart | { $case: 'stored'; job: Job };

/** What the directory needs. */
export interface JobDirectoryOptions {
  jobs: JobStore;
  clusters: ClusterManager;
  /** Where a job's result having been sent to a client is published. */
  publisher: ControlPlaneEventPublisher;
}

/** Answers for jobs. */
export class JobDirectory {
  constructor(private readonly options: JobDirectoryOptions) {}

  /** One job; NOT_FOUND naming the id when unknown or (given `tenant`) of another tenant's application. */
  get(jobId: string, tenant?: string): Promise<Job> {
    return this.options.jobs.get(jobId, tenant);
  }

  /** A page of a tenant's jobs, newest first. */
  list(request: JobListRequest): Promise<JobPage> {
    return this.options.jobs.list(request);
  }

  /** Starts cancelling a job and returns it; a job that ended is returned unchanged. UNAVAILABLE when its cluster cannot be reached. */
  async cancel(jobId: string): Promise<Job> {
    const job = await this.get(jobId);
    if (isTerminalJobStatus(job.status)) return job;
    await (await this.options.clusters.gateway(job.clusterId)).cancelJob(jobId);
    return this.get(jobId);
  }

  /**
   * The job's collected records and then its result, as its cluster sends them once it ended. When
   * the cluster is gone and the job has ended, the stored result (without records).
   */
  async *result(jobId: string, signal?: AbortSignal): AsyncGenerator<JobResultAnswer> {
    const job = await this.get(jobId);
    const cluster = await this.options.clusters.get(job.clusterId);
    if (!isTerminalClusterStatus(cluster.status)) {
      try {
        const gateway = await this.options.clusters.gateway(job.clusterId);
        for await (const part of gateway.requestJobResult(jobId, signal)) {
          if (part.$case === 'result') await this.options.publisher.publish({ type: 'jobResultDelivered', jobId });
          yield part;
          if (part.$case === 'result') return;
        }
      } catch (error) {
        if (!(error instanceof UnavailableError) || !isTerminalJobStatus((await this.get(jobId)).status)) throw error;
      }
    }
    const stored = await this.get(jobId);
    if (!isTerminalJobStatus(stored.status)) {
      throw new UnavailableError(
        `job ${jobId} has not ended and its cluster ${job.clusterId} is ${(await this.options.clusters.get(job.clusterId)).status}; its result cannot be known`,
      );
    }
    yield { $case: 'stored', job: stored };
  }
}
