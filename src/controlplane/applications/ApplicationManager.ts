/**
 * The applications of the control plane: accepts a submission (stored, with its first event,
 * before it is answered), launches it in the background, answers for it, cancels it, streams its
 * events, and resumes what a restart interrupted. It knows nothing of gRPC.
 */
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import { AlreadyExistsError, FailedPreconditionError, ResourceExhaustedError } from '../../common/errors.js';
import { isTerminalJobStatus, type SerializedError } from '../../common/status.js';
import type { PerJobClusters } from '../jobs/PerJobClusters.js';
import type { ClientHeartbeats } from './ClientHeartbeats.js';
import { newRecordId } from '../model/recordId.js';
import type { Logger } from '../../common/logger.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { ApplicationEventLog, ApplicationEventWatch } from '../events/ApplicationEventLog.js';
import { isClientSide, type Application, type ApplicationSubmission } from '../model/Application.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { isTerminalClusterStatus } from '../model/Cluster.js';
import type { ApplicationListRequest, ApplicationPage } from '../store/ApplicationStore.js';
import type { StoreScope } from '../store/ControlPlaneStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { ClusterEventRouter } from './ClusterEventRouter.js';
import { bundleEntryChecker } from '../bundles/checkBundleEntry.js';
import { compileSubmission } from './compileSubmission.js';
import type { DriverLauncher } from './DriverLauncher.js';
import { requestFingerprint } from '../../common/requestFingerprint.js';
import type { RunApplicationInput } from './RunApplicationInput.js';

/** What the application manager needs. */
export interface ApplicationManagerOptions {
  /** Where applications are stored; a submission is one unit of work, and many at once may share a commit. */
  store: StoreScope;
  log: ApplicationEventLog;
  artifacts: ArtifactStore;
  clusters: ClusterManager;
  lifecycle: ApplicationLifecycle;
  router: ClusterEventRouter;
  launcher: DriverLauncher;
  perJob: PerJobClusters;
  heartbeats: ClientHeartbeats;
  logger: Logger;
  /** How many applications a tenant may have running at once, and the setting that says so; no limit when it answers undefined. */
  applicationLimit?: (tenant: string) => ApplicationLimit | undefined;
}

/** A limit on a tenant's running applications. */
export interface ApplicationLimit {
  /** The most applications that may not have ended at once. */
  max: number;
  /** The setting that sets it, for the refusal's message, such as "--max-applications-per-tenant". */
  setting: string;
}

/** The outcome of {@link ApplicationManager.run}. */
export interface RunApplicationResult {
  application: Application;
  /** True when the request id was seen before with the same request: this is the first application. */
  deduplicated: boolean;
}

/** Runs and answers for applications. */
export class ApplicationManager {
  private readonly checkBundleEntry = bundleEntryChecker();

  constructor(private readonly options: ApplicationManagerOptions) {}

  /**
   * Accepts an application: validates it, stores it DEPLOYING with its first event, and launches it
   * in the background. A request id seen before answers the first application when the request is
   * the same (deduplicated) and is ALREADY_EXISTS when it differs. NOT_FOUND for a bundle that is
   * not stored or a cluster id that is not known (or is another tenant's); INVALID_ARGUMENT for an
   * entry the bundle lacks; RESOURCE_EXHAUSTED when `tenant` already runs as many applications as
   * its limit allows. The application is `tenant`'s: only that tenant sees it.
   */
  async run(input: RunApplicationInput, tenant: string): Promise<RunApplicationResult> {
    const submission = compileSubmission(input);
    const fingerprint = requestFingerprint(submission);
    const { store, artifacts, log } = this.options;
    const earlier = input.requestId ? await store.applications.findByRequestId(input.requestId, tenant) : undefined;
    const artifactId = (submission.bundle as { artifactId: string }).artifactId;
    // Read from the stored archive, not run; a retried request skips it (the transaction below decides).
    if (!earlier && artifacts.find(artifactId))
      await this.checkBundleEntry(artifactId, artifacts.pathOf(artifactId), submission.entry);
    const result = await store.transaction(async (tx): Promise<RunApplicationResult> => {
      if (input.requestId) {
        const earlier = await tx.applications.findByRequestId(input.requestId, tenant);
        if (earlier && earlier.requestFingerprint === fingerprint) return { application: earlier, deduplicated: true };
        if (earlier) {
          throw new AlreadyExistsError(
            `request id "${input.requestId}" was already used for application ${earlier.id} with a different request; use a new request id for a new application`,
          );
        }
      }
      const artifact = artifacts.get(artifactId);
      if (submission.target.kind === 'cluster') await tx.clusters.get(submission.target.clusterId, tenant);
      await this.checkApplicationLimit(tx, tenant);
      const application: Application = {
        ...submission,
        tenant,
        name: submission.name || defaultName(artifact.fileName, artifactId, submission.entry),
        id: newRecordId('app'),
        status: 'DEPLOYING',
        clusterId: '',
        ownsCluster: false,
        driverJobId: '',
        jobIds: [],
        createTime: new Date(),
        lastEventSequence: 0,
        requestId: input.requestId,
        requestFingerprint: fingerprint,
      };
      await tx.applications.insert(application);
      await log.append(tx, application.id, {
        type: 'applicationStatusChanged',
        status: 'DEPLOYING',
        message: `accepted; ${describeTarget(submission)}`,
      });
      return { application: await tx.applications.get(application.id), deduplicated: false };
    });
    if (!result.deduplicated) {
      if (isClientSide(result.application)) this.options.heartbeats.seen(result.application.id);
      this.options.logger.info(
        { applicationId: result.application.id, name: result.application.name },
        'application accepted',
      );
      this.options.launcher.launch(result.application.id);
    }
    return result;
  }

  /** One application; NOT_FOUND naming the id when unknown or (given `tenant`) another tenant's. */
  get(applicationId: string, tenant?: string): Promise<Application> {
    return this.options.store.applications.get(applicationId, tenant);
  }

  /** RESOURCE_EXHAUSTED naming the limit when `tenant` already runs as many applications as it may. */
  private async checkApplicationLimit(tx: StoreScope, tenant: string): Promise<void> {
    const limit = this.options.applicationLimit?.(tenant);
    if (!limit) return;
    const running = await tx.applications.countActive(tenant);
    if (running < limit.max) return;
    const who = tenant ? `tenant ${tenant}` : 'this control plane';
    throw new ResourceExhaustedError(
      `${who} already runs ${running} application(s), the most it may (${limit.setting}: ${limit.max}); wait for one to end or cancel one (flotilla cancel APP)`,
    );
  }

  /** A page of a tenant's applications, newest first. */
  list(request: ApplicationListRequest): Promise<ApplicationPage> {
    return this.options.store.applications.list(request);
  }

  /**
   * Starts cancelling an application and returns it (CANCELING, or already ended and unchanged).
   * A launch under way is stopped and what it deployed torn down; a running driver job is cancelled
   * on its cluster, whose report ends the application CANCELED.
   */
  async cancel(applicationId: string): Promise<Application> {
    const { store, lifecycle, launcher } = this.options;
    const { applications } = store;
    const application = await applications.get(applicationId);
    if (isTerminalApplicationStatus(application.status)) return application;
    await lifecycle.changeStatus(applicationId, 'CANCELING', { message: 'cancellation requested' });
    if (isClientSide(application)) {
      launcher.abort(applicationId);
      await this.cancelJobs(applicationId, 'the application is cancelled');
      await this.options.router.settle(applicationId);
      return applications.get(applicationId);
    }
    // A deployment or upload under way stops; a launch past them cancels the driver it submitted.
    launcher.abort(applicationId);
    const cancelling = await applications.get(applicationId);
    if (cancelling.driverJobId && cancelling.clusterId) void launcher.cancelDriver(cancelling);
    else if (!launcher.launching(applicationId))
      await lifecycle.changeStatus(applicationId, 'CANCELED', { message: 'cancelled before its driver started' });
    return applications.get(applicationId);
  }

  /**
   * Takes in the end of a session or per-job application's client-side main(): it returned, or
   * threw `failure`. A failure cancels the application's other jobs (FLIP-40's rule for a failed
   * driver); either way the application ends once its jobs have. Reporting again changes nothing.
   * FAILED_PRECONDITION for an application whose main() runs in the cluster.
   */
  async completeClientMain(applicationId: string, failure: SerializedError | undefined): Promise<Application> {
    const { store, lifecycle, router } = this.options;
    const { applications } = store;
    const application = await applications.get(applicationId);
    if (!isClientSide(application)) {
      throw new FailedPreconditionError(
        `application ${applicationId} runs in ${application.mode} mode: its main() runs in the cluster, which reports its end; CompleteClientMain is for SESSION and PER_JOB applications`,
      );
    }
    if (isTerminalApplicationStatus(application.status) || application.clientMainEndTime) return application;
    await applications.update(applicationId, { clientMainEndTime: new Date(), clientMainFailure: failure });
    if (application.status === 'CREATED' || application.status === 'DEPLOYING') {
      // main() ended before it could submit a job (SubmitJob waits for RUNNING): nothing runs, so it decides alone.
      this.options.launcher.abort(applicationId);
      const message = failure
        ? `main() in the client failed before the application was RUNNING: ${failure.message}`
        : 'main() in the client returned before the application was RUNNING, without a job';
      await lifecycle.changeStatus(applicationId, failure ? 'FAILED' : 'FINISHED', { message, failure });
      return applications.get(applicationId);
    }
    this.options.logger.info({ applicationId, failed: failure !== undefined }, 'client main() ended');
    if (failure) {
      await lifecycle.changeStatus(applicationId, 'FAILING', {
        message: `main() in the client failed: ${failure.message}`,
        failure,
      });
      await this.cancelJobs(applicationId, 'main() in the client failed');
    }
    await this.options.perJob.clientMainEnded(applicationId);
    await router.clientMainEnded(applicationId, failure);
    return applications.get(applicationId);
  }

  /**
   * Records a heartbeat of the client running a session or per-job application's main(); returns
   * the timeout the client must beat within, and the application's status. FAILED_PRECONDITION for
   * an application whose main() runs in the cluster.
   */
  async clientHeartbeat(applicationId: string): Promise<{ timeoutMs: number; application: Application }> {
    const application = await this.options.store.applications.get(applicationId);
    if (!isClientSide(application)) {
      throw new FailedPreconditionError(
        `application ${applicationId} runs in ${application.mode} mode: its main() runs in the cluster, and no client heartbeat is expected`,
      );
    }
    this.options.heartbeats.seen(applicationId);
    return { timeoutMs: this.options.heartbeats.timeoutMs, application };
  }

  /** Asks the clusters to cancel the application's jobs that have not ended (all, or only DAEMON ones). */
  private async cancelJobs(applicationId: string, reason: string, only?: 'DAEMON'): Promise<void> {
    for (const job of await this.options.store.jobs.ofApplication(applicationId)) {
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

  /** The application's events after a sequence, then (when following) live ones until it ends. */
  watch(watch: ApplicationEventWatch): Promise<AsyncIterable<ApplicationEvent>> {
    return this.options.log.watch(watch);
  }

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
    if (isClientSide(application)) await this.cancelJobs(application.id, `application ended ${application.status}`);
    if (!application.clusterId) return;
    if (application.ownsCluster)
      void this.options.clusters.tearDownOwned(
        application.clusterId,
        `application ${application.id} ended ${application.status}`,
      );
    else await this.options.clusters.releaseExternal(application.clusterId);
  }

  /**
   * Resumes the applications a restart interrupted (after the clusters were recovered): launches
   * are resumed (their steps can be repeated safely), and running applications whose cluster has
   * ended are ended; the others are followed through their clusters.
   */
  async recover(): Promise<void> {
    const { store, clusters, launcher, lifecycle, router } = this.options;
    for (const application of await store.applications.active()) {
      if (application.status === 'DEPLOYING' || application.status === 'CREATED') {
        launcher.launch(application.id);
        continue;
      }
      if (isClientSide(application) && !application.clusterId) {
        await router.settle(application.id);
        continue;
      }
      if (application.status === 'CANCELING' && !application.driverJobId && !isClientSide(application)) {
        await lifecycle.changeStatus(application.id, 'CANCELED', { message: 'cancelled before its driver started' });
        continue;
      }
      const cluster = application.clusterId ? await clusters.get(application.clusterId) : undefined;
      if (!cluster || isTerminalClusterStatus(cluster.status)) {
        await router.endWithCluster(application, application.clusterId || '(none)', {
          lost: true,
          reason: `it ended while the control plane was down (${cluster?.status ?? 'unknown'})`,
        });
      } else {
        // A cancellation answered just before the control plane stopped may never have reached the cluster.
        if (application.status === 'CANCELING' && application.driverJobId) void launcher.cancelDriver(application);
        await router.considerImpliedOutcome(application.id);
      }
    }
  }
}

/** A name made from the bundle's file name and, unless it is the default, the entry. */
function defaultName(fileName: string, artifactId: string, entry: string): string {
  const stem = fileName.replace(/\.(tgz|tar\.gz)$/, '') || `bundle-${artifactId.slice(0, 12)}`;
  return entry === '#main' ? stem : `${stem} ${entry}`;
}

function describeTarget(submission: ApplicationSubmission): string {
  const target = submission.target;
  const size =
    target.kind === 'deploy'
      ? `${target.spec.taskExecutors} task executor(s) with ${target.spec.slotsPerTaskExecutor} slot(s) each`
      : '';
  if (submission.mode === 'PER_JOB')
    return `main() runs in the client; each job it submits gets a new cluster of ${size} (or more slots when the job needs them)`;
  if (target.kind === 'deploy') return `deploying a cluster of ${size} for it`;
  if (target.kind === 'cluster') return `it runs on cluster ${target.clusterId}`;
  return `it runs on the job manager at ${target.address}`;
}
