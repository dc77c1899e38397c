/**
 * What one tenant sees of the control plane: every operation a client may ask for, scoped to the
 * tenant. An application, cluster or job of another tenant is NOT_FOUND with the same answer as an
 * unknown id (so ids reveal nothing), lists hold only the tenant's own, and what the tenant creates
 * is recorded as its own. The gRPC adapter reaches the domain only through this view, made for the
 * tenant each call's credentials name. Bundles are shared: they are named by their sha256, which
 * only someone who has the bundle knows.
 */
import type { SerializedError } from '../../common/status.js';
import type { ApplicationManager, RunApplicationResult } from '../applications/ApplicationManager.js';
import type { ClientMains } from '../applications/ClientMains.js';
import type { RunApplicationInput } from '../applications/RunApplicationInput.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { JobResultAnswer } from '../jobs/JobDirectory.js';
import type { ApplicationEventWatch } from '../events/ApplicationEventLog.js';
import type { ClientJobSubmission, JobSubmissions, SubmittedClientJob } from '../jobs/JobSubmissions.js';
import type { JobDirectory } from '../jobs/JobDirectory.js';
import type { DriverLogRead, DriverLogs } from '../logs/DriverLogs.js';
import type { Application } from '../model/Application.js';
import type { ApplicationSavepoint } from '../model/ApplicationSavepoint.js';
import type { ApplicationSavepoints, SavepointSubject } from '../savepoints/ApplicationSavepoints.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import type { Cluster, ClusterSpec } from '../model/Cluster.js';
import type { Job } from '../model/Job.js';
import type { DriverLogPiece } from '../store/DriverLogStore.js';
import type { ApplicationListRequest, ApplicationPage } from '../store/ApplicationStore.js';
import type { ClusterListRequest, ClusterPage } from '../store/ClusterStore.js';
import type { JobListRequest, JobPage } from '../store/JobStore.js';

/** The domain a view scopes. */
export interface TenantViewDomain {
  applications: ApplicationManager;
  clientMains: ClientMains;
  clusters: ClusterManager;
  driverLogs: DriverLogs;
  jobs: JobDirectory;
  submissions: JobSubmissions;
  savepoints: ApplicationSavepoints;
}

/** Makes the view of the tenant a call acts for. */
export type TenantViews = (tenant: string) => TenantView;

/** The control plane as one tenant sees it. */
export class TenantView {
  constructor(
    private readonly domain: TenantViewDomain,
    /** The tenant; '' is the single tenant of a control plane without tokens. */
    readonly tenant: string,
  ) {}

  runApplication(input: RunApplicationInput): Promise<RunApplicationResult> {
    return this.domain.applications.run(input, this.tenant);
  }

  getApplication(applicationId: string): Promise<Application> {
    return this.domain.applications.get(applicationId, this.tenant);
  }

  listApplications(request: Omit<ApplicationListRequest, 'tenant'>): Promise<ApplicationPage> {
    return this.domain.applications.list({ ...request, tenant: this.tenant });
  }

  async cancelApplication(applicationId: string): Promise<Application> {
    return this.domain.applications.cancel((await this.getApplication(applicationId)).id);
  }

  /** A savepoint of one of the tenant's applications (its running jobs) or jobs. */
  async triggerSavepoint(subject: SavepointSubject, targetDirectory: string): Promise<ApplicationSavepoint> {
    const scoped =
      'jobId' in subject
        ? { jobId: (await this.getJob(subject.jobId)).id }
        : { applicationId: (await this.getApplication(subject.applicationId)).id };
    return this.domain.savepoints.trigger(scoped, targetDirectory);
  }

  /** Stops one of the tenant's applications with a savepoint. */
  async stopApplication(
    applicationId: string,
    targetDirectory: string,
  ): Promise<{ savepoint: ApplicationSavepoint; application: Application }> {
    return this.domain.savepoints.stop((await this.getApplication(applicationId)).id, targetDirectory);
  }

  async watchApplication(watch: ApplicationEventWatch): Promise<AsyncIterable<ApplicationEvent>> {
    const application = await this.getApplication(watch.applicationId);
    return this.domain.applications.watch({ ...watch, applicationId: application.id });
  }

  async readDriverLog(read: DriverLogRead): Promise<AsyncIterable<DriverLogPiece>> {
    const application = await this.getApplication(read.applicationId);
    return this.domain.driverLogs.read({ ...read, applicationId: application.id });
  }

  async completeClientMain(applicationId: string, failure: SerializedError | undefined): Promise<Application> {
    return this.domain.clientMains.complete((await this.getApplication(applicationId)).id, failure);
  }

  async clientHeartbeat(applicationId: string): Promise<{ timeoutMs: number; application: Application }> {
    return this.domain.clientMains.heartbeat((await this.getApplication(applicationId)).id);
  }

  deployCluster(request: {
    name: string;
    spec: ClusterSpec;
    requestId: string;
  }): Promise<{ cluster: Cluster; deduplicated: boolean }> {
    return this.domain.clusters.deployShared({ ...request, tenant: this.tenant });
  }

  getCluster(clusterId: string): Promise<Cluster> {
    return this.domain.clusters.get(clusterId, this.tenant);
  }

  listClusters(request: Omit<ClusterListRequest, 'tenant'>): Promise<ClusterPage> {
    return this.domain.clusters.list({ ...request, tenant: this.tenant });
  }

  async shutDownCluster(clusterId: string): Promise<Cluster> {
    return this.domain.clusters.shutDown((await this.getCluster(clusterId)).id);
  }

  async submitJob(submission: ClientJobSubmission): Promise<SubmittedClientJob> {
    const application = await this.getApplication(submission.applicationId);
    return this.domain.submissions.submit({ ...submission, applicationId: application.id });
  }

  getJob(jobId: string): Promise<Job> {
    return this.domain.jobs.get(jobId, this.tenant);
  }

  listJobs(request: Omit<JobListRequest, 'tenant'>): Promise<JobPage> {
    return this.domain.jobs.list({ ...request, tenant: this.tenant });
  }

  async cancelJob(jobId: string): Promise<Job> {
    return this.domain.jobs.cancel((await this.getJob(jobId)).id);
  }

  async *jobResult(jobId: string, signal?: AbortSignal): AsyncGenerator<JobResultAnswer> {
    const job = await this.getJob(jobId);
    yield* this.domain.jobs.result(job.id, signal);
  }
}
