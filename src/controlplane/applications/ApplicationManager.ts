/**
 * The applications of the control plane: accepts a submission (stored, with its first event,
 * before it is answered), launches it in the background, answers for it, cancels it and streams
 * its events. What differs between submission modes is asked of the application's mode
 * (modes/submissionModes.ts); client-side main()s are ClientMains', recovery ApplicationRecovery's
 * and what follows an application's end ApplicationCleanup's. It knows nothing of gRPC.
 */
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import { AlreadyExistsError, ResourceExhaustedError } from '../../common/errors.js';
import { newRecordId } from '../model/recordId.js';
import type { Logger } from '../../common/logger.js';
import type { TenantLimit } from '../clusters/ClusterLimits.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { ApplicationEventLog, ApplicationEventWatch } from '../events/ApplicationEventLog.js';
import type { Application, ApplicationSubmission, SavepointSettings } from '../model/Application.js';
import { resolveRestore } from '../savepoints/resolveRestore.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationListRequest, ApplicationPage } from '../store/ApplicationStore.js';
import type { StoreScope } from '../store/ControlPlaneStore.js';
import type { ApplicationLauncher } from './ApplicationLauncher.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { ClientMains } from './ClientMains.js';
import { bundleEntryChecker } from '../../bundle/checkBundleEntry.js';
import type { StoredBundles } from '../../bundle/StoredBundleIndexes.js';
import { compileSubmission } from './compileSubmission.js';
import { submissionModeOf } from './modes/submissionModes.js';
import { requestFingerprint } from '../../common/requestFingerprint.js';
import type { RunApplicationInput } from './RunApplicationInput.js';
import type { FollowerLeases } from '../clusters/FollowerLeases.js';

/** What the application manager needs. */
export interface ApplicationManagerOptions {
  /** Where applications are stored; a submission is one unit of work, and many at once may share a commit. */
  store: StoreScope;
  log: ApplicationEventLog;
  artifacts: ArtifactStore;
  clusters: ClusterManager;
  lifecycle: ApplicationLifecycle;
  launcher: ApplicationLauncher;
  clientMains: ClientMains;
  logger: Logger;
  /** The indexes of the stored bundles, which the entry check reads. */
  bundles: StoredBundles;
  /** How many applications a tenant may have running at once, and the setting that says so; no limit when it answers undefined. */
  applicationLimit?: (tenant: string) => ApplicationLimit | undefined;
  /** Takes the lease of each accepted application's launch for this process (not needed when it is the only one). */
  leases?: Pick<FollowerLeases, 'claim'>;
}

/** A limit on a tenant's running applications (the most that may not have ended at once), and the setting that sets it, such as "--max-applications-per-tenant". */
export type ApplicationLimit = TenantLimit;

/** The outcome of {@link ApplicationManager.run}. */
export interface RunApplicationResult {
  application: Application;
  /** True when the request id was seen before with the same request: this is the first application. */
  deduplicated: boolean;
}

/** Runs and answers for applications. */
export class ApplicationManager {
  private readonly checkBundleEntry: (artifactId: string, entry: string) => Promise<void>;

  constructor(private readonly options: ApplicationManagerOptions) {
    this.checkBundleEntry = bundleEntryChecker(options.bundles);
  }

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
    // One driver attempt, the default, leaves the fingerprint as it was before attempts existed.
    const fingerprint = requestFingerprint({
      ...submission,
      driverAttempts: submission.driverAttempts === 1 ? undefined : submission.driverAttempts,
      driverRetryOwnFailures: submission.driverRetryOwnFailures ? true : undefined,
    });
    const { store, artifacts, log } = this.options;
    const earlier = input.requestId ? await store.applications.findByRequestId(input.requestId, tenant) : undefined;
    const artifactId = (submission.bundle as { artifactId: string }).artifactId;
    // Uploaded through another replica, perhaps, since this one loaded the catalog.
    await artifacts.refresh(artifactId);
    // The tenant's limits first (they cost a count), then the entry (looked up in the bundle's index,
    // never run); a retried request skips both, and the transaction below counts again and decides.
    if (!earlier) {
      await this.checkLimits(store, tenant, submission);
      if (artifacts.find(artifactId)) await this.checkBundleEntry(artifactId, submission.entry);
    }
    // What -s or -r restores, read from the savepoint folders or the previous run, once, before the record.
    const restore =
      submission.savepoint && !earlier
        ? await resolveRestore(
            submission.savepoint,
            submission.name || defaultName(artifacts.find(artifactId)?.fileName ?? '', artifactId, submission.entry),
            tenant,
            store,
          )
        : undefined;
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
      await this.checkLimits(tx, tenant, submission);
      const application: Application = {
        ...submission,
        ...(restore ? { savepoint: restore } : {}),
        tenant,
        name: submission.name || defaultName(artifact.fileName, artifactId, submission.entry),
        id: newRecordId('app'),
        status: 'DEPLOYING',
        clusterId: '',
        ownsCluster: false,
        driverJobId: '',
        jobIds: [],
        attempts: [],
        createTime: new Date(),
        lastEventSequence: 0,
        requestId: input.requestId,
        requestFingerprint: fingerprint,
      };
      await tx.applications.insert(application);
      // Launched by this process, under a lease another replica takes over if this one dies.
      await this.options.leases?.claim(tx, application.id);
      await log.append(tx, application.id, {
        type: 'applicationStatusChanged',
        status: 'DEPLOYING',
        message: `accepted; ${submissionModeOf(submission).describeTarget(submission)}${restore ? `; ${describeRestore(restore)}` : ''}`,
      });
      return { application: await tx.applications.get(application.id), deduplicated: false };
    });
    if (!result.deduplicated) {
      this.options.clientMains.accepted(result.application);
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

  /**
   * RESOURCE_EXHAUSTED naming the limit when `tenant` already runs as many applications as it may,
   * or, for an application that deploys clusters (driver and application modes deploying their own,
   * per-job mode), when one more cluster of its size would pass the tenant's limits on clusters
   * (counted again as each cluster is recorded, which decides).
   */
  private async checkLimits(tx: StoreScope, tenant: string, submission: ApplicationSubmission): Promise<void> {
    if (submission.target.kind === 'deploy')
      await this.options.clusters.checkLimits(tx, tenant, submission.target.spec);
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
   * A launch under way is stopped and what it deployed torn down; then a client-side main()'s
   * jobs are cancelled, or a running driver job is cancelled on its cluster, whose report ends the
   * application CANCELED.
   */
  async cancel(applicationId: string): Promise<Application> {
    const { store, lifecycle, launcher, clientMains } = this.options;
    const { applications } = store;
    const application = await applications.get(applicationId);
    if (isTerminalApplicationStatus(application.status)) return application;
    await lifecycle.changeStatus(applicationId, 'CANCELING', { message: 'cancellation requested' });
    // A deployment or upload under way stops; a launch past them cancels the driver it submitted.
    launcher.abort(applicationId);
    if (submissionModeOf(application).clientRunsMain) await clientMains.cancel(applicationId);
    else await launcher.cancelMain(applicationId);
    return applications.get(applicationId);
  }

  /** The application's events after a sequence, then (when following) live ones until it ends. */
  watch(watch: ApplicationEventWatch): Promise<AsyncIterable<ApplicationEvent>> {
    return this.options.log.watch(watch);
  }
}

/** What the jobs restore from, for the event that accepts the application. */
function describeRestore(restore: SavepointSettings): string {
  const jobs = (restore.jobs ?? []).map((job) => `"${job.jobName}"`).join(', ');
  const from = restore.resume
    ? `the latest checkpoints of application ${restore.resumedFrom}`
    : `savepoint ${restore.path}`;
  return `restoring ${jobs} from ${from}${restore.allowNonRestoredState ? ' (allowing non-restored state)' : ''}`;
}

/** A name made from the bundle's file name and, unless it is the default, the entry. */
function defaultName(fileName: string, artifactId: string, entry: string): string {
  const stem = fileName.replace(/\.(tgz|tar\.gz)$/, '') || `bundle-${artifactId.slice(0, 12)}`;
  return entry === '#main' ? stem : `${stem} ${entry}`;
}
