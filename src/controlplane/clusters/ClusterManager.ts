/**
 * The clusters of the control plane: deploys them through the deployment target (shared ones for
 * DeployCluster, owned ones for an application), follows each live cluster's job events, tears
 * clusters down, notices when one is lost, and picks all of that up again after a restart. Every
 * change is recorded before it is reported to the {@link ClusterObserver} (the applications).
 */
import { randomBytes } from 'node:crypto';
import { AlreadyExistsError, FailedPreconditionError } from '../../common/errors.js';
import { newRecordId } from '../model/recordId.js';
import type { Logger } from '../../common/logger.js';
import { serializeError } from '../../common/status.js';
import type { DeploymentTarget, TaskExecutorDefaults } from '../../deployment/DeploymentTarget.js';
import { requestFingerprint } from '../../common/requestFingerprint.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { isTerminalClusterStatus, type Cluster, type ClusterSpec } from '../model/Cluster.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ClusterListRequest, ClusterPage, ClusterStore } from '../store/ClusterStore.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import { ClusterDeployments } from './ClusterDeployments.js';
import { ClusterLinks } from './ClusterLinks.js';
import { ClusterLeaseRenewals } from './ClusterLeaseRenewals.js';
import { checkClusterLimits, type ClusterLimitsOf } from './ClusterLimits.js';
import type { ClusterObserver } from './ClusterObserver.js';
import { ClusterRecorder } from './ClusterRecorder.js';
import type { ConnectDispatcher, DispatcherGateway } from './DispatcherGateway.js';
import type { ExternalJobManagers } from './ExternalJobManagers.js';
import type { DeploymentEnded } from './ClusterDeployments.js';
import { JobManagerNotUsableError } from './JobManagerNotUsableError.js';
import { jobManagerExit } from './jobManagerExit.js';
import type { FollowerLeases } from './FollowerLeases.js';
import { SoleFollower } from './SoleFollower.js';
import { FencedWriteError } from '../store/FollowerLeaseStore.js';

export type { ClusterObserver } from './ClusterObserver.js';

/** What the cluster manager needs. */
export interface ClusterManagerOptions {
  /** Where clusters are recorded, in units of work shared with what the observer records. */
  store: StoreScope;
  clusters: ClusterStore;
  applications: ApplicationStore;
  target: DeploymentTarget;
  connect: ConnectDispatcher;
  observer: ClusterObserver;
  logger: Logger;
  /** How long a job manager may be unreachable before its cluster counts as lost (default 10 s). */
  lossTimeoutMs?: number;
  /**
   * The job managers tenants may name by address (`-m HOST:PORT`), each with the secret presented
   * to it; none when not given (then `-m` names only clusters this control plane deployed).
   */
  externalJobManagers?: ExternalJobManagers;
  /** Each tenant's limits on the clusters deployed for it, checked as each is recorded; none when not given. */
  clusterLimits?: ClusterLimitsOf;
  /** Told how long each deployment took and how it ended; nobody when not given. */
  onDeploymentEnded?: DeploymentEnded;
  /**
   * The lease time of clusters deployed for applications, in milliseconds: such a cluster ends
   * itself once no job has run and this control plane (or the next one) has not renewed its lease for
   * that long. No lease when not given or 0.
   */
  leaseTimeMs?: number;
  /** Which clusters this process follows; all of them (the only process on its store) when not given. */
  leases?: FollowerLeases;
}

/** A shared cluster to deploy. */
export interface SharedClusterRequest {
  name: string;
  spec: ClusterSpec;
  requestId: string;
  /** The tenant deploying it; only that tenant sees and uses it. */
  tenant: string;
}

/** Deploys, follows and stops clusters. */
export class ClusterManager {
  private readonly recorder: ClusterRecorder;
  private readonly links: ClusterLinks;
  private readonly deployments: ClusterDeployments;
  private readonly teardowns = new Map<string, Promise<void>>();
  private readonly leases: FollowerLeases;
  private closing = false;

  constructor(private readonly options: ClusterManagerOptions) {
    const { store, observer, target, connect, logger, lossTimeoutMs, leaseTimeMs } = options;
    this.leases = options.leases ?? new SoleFollower();
    this.recorder = new ClusterRecorder(store, observer, this.leases);
    const leaseRenewals = leaseTimeMs
      ? new ClusterLeaseRenewals({ leaseTimeMs, logger: logger.child({ component: 'cluster-leases' }) })
      : undefined;
    this.links = new ClusterLinks({ recorder: this.recorder, target, connect, logger, lossTimeoutMs, leaseRenewals });
    this.deployments = new ClusterDeployments({
      target,
      recorder: this.recorder,
      links: this.links,
      onRunning: (cluster) => this.follow(cluster),
      closing: () => this.closing,
      onEnded: options.onDeploymentEnded,
      leaseTimeMs,
      logger,
    });
  }

  /** What one task executor of a deployed cluster offers by default. */
  get taskExecutorDefaults(): TaskExecutorDefaults {
    return this.options.target.taskExecutorDefaults;
  }

  /** One cluster; NOT_FOUND naming the id when unknown or (given `tenant`) another tenant's. */
  get(clusterId: string, tenant?: string): Promise<Cluster> {
    return this.options.clusters.get(clusterId, tenant);
  }

  /** A page of a tenant's clusters, newest first. */
  list(request: ClusterListRequest): Promise<ClusterPage> {
    return this.options.clusters.list(request);
  }

  /** The Dispatcher of a cluster. */
  gateway(clusterId: string): Promise<DispatcherGateway> {
    return this.links.gateway(clusterId);
  }

  /**
   * Records a shared cluster (DEPLOYING) and deploys it in the background. A request id seen before
   * returns the first cluster when the request is the same, and is ALREADY_EXISTS when it differs;
   * RESOURCE_EXHAUSTED when it would take the tenant past a limit on its clusters.
   */
  async deployShared(request: SharedClusterRequest): Promise<{ cluster: Cluster; deduplicated: boolean }> {
    const fingerprint = requestFingerprint({ name: request.name, spec: request.spec });
    if (request.requestId) {
      const earlier = await this.options.clusters.findByRequestId(request.requestId, request.tenant);
      if (earlier && earlier.requestFingerprint === fingerprint) return { cluster: earlier, deduplicated: true };
      if (earlier) {
        throw new AlreadyExistsError(
          `request id "${request.requestId}" was already used for cluster ${earlier.id} with a different name or spec; use a new request id for a new cluster`,
        );
      }
    }
    const id = newRecordId('cluster');
    await this.record(
      this.newCluster({
        id,
        tenant: request.tenant,
        name: request.name || id,
        spec: request.spec,
        requestId: request.requestId,
        requestFingerprint: fingerprint,
      }),
    );
    this.deployments.deploy(await this.get(id), new AbortController().signal).catch(() => undefined);
    return { cluster: await this.get(id), deduplicated: false };
  }

  /**
   * Records a cluster owned by `application` (and the application's link to it, in the same
   * transaction), deploys it and resolves once it runs. Rejects when the deployment fails (recorded
   * FAILED) or `signal` aborts it (recorded STOPPED, every process it started stopped), and with
   * RESOURCE_EXHAUSTED, recording nothing, when it would take the tenant past a limit on its clusters.
   */
  async deployOwned(application: Application, spec: ClusterSpec, signal: AbortSignal): Promise<Cluster> {
    const cluster = this.newCluster({
      id: newRecordId('cluster'),
      tenant: application.tenant,
      name: application.name,
      spec,
      ownerApplicationId: application.id,
    });
    await this.record(cluster, async (tx) => {
      // Only the process that launches the application (holds its lease) deploys its cluster.
      await this.leases.fence(tx, application.id);
      await tx.applications.update(application.id, { clusterId: cluster.id, ownsCluster: true });
    });
    return this.deployments.deploy(cluster, signal);
  }

  /**
   * Records a cluster owned by a per-job application for one of its jobs, deploys it and resolves
   * once it runs. The application is not linked to it (it has one cluster per job), so the cluster
   * ending does not end the application. RESOURCE_EXHAUSTED, recording nothing, when it would take
   * the tenant past a limit on its clusters (each per-job cluster counts as a cluster).
   */
  async deployForJob(application: Application, spec: ClusterSpec, signal: AbortSignal): Promise<Cluster> {
    const cluster = this.newCluster({
      id: newRecordId('cluster'),
      tenant: application.tenant,
      name: `${application.name} (job cluster)`,
      spec,
      ownerApplicationId: application.id,
    });
    // Asked for by the client running main() through any replica: that replica deploys and follows it.
    await this.record(cluster);
    return this.deployments.deploy(cluster, signal);
  }

  /**
   * RESOURCE_EXHAUSTED naming the setting when one more cluster of `spec` would take `tenant` past a
   * limit on its clusters now (counted through `tx`; the unit that records a cluster counts again).
   */
  checkLimits(tx: StoreScope, tenant: string, spec: Pick<ClusterSpec, 'taskExecutors'>): Promise<void> {
    return checkClusterLimits(tx, tenant, spec, this.options.clusterLimits?.(tenant));
  }

  /** The clusters deployed for an application that have not ended. */
  activeOwnedBy(applicationId: string): Promise<Cluster[]> {
    return this.options.clusters.activeOwnedBy(applicationId);
  }

  /**
   * A shared cluster an application of `tenant` may run on: NOT_FOUND when it is another tenant's,
   * FAILED_PRECONDITION unless it is RUNNING and owned by no application.
   */
  async useShared(clusterId: string, tenant: string): Promise<Cluster> {
    const cluster = await this.get(clusterId, tenant);
    if (cluster.ownerApplicationId) {
      throw new FailedPreconditionError(
        `cluster ${cluster.id} was deployed for application ${cluster.ownerApplicationId} and ends with it; name a shared cluster (one deployed on its own, not for an application) instead`,
      );
    }
    if (cluster.status !== 'RUNNING')
      throw new FailedPreconditionError(
        `cluster ${cluster.id} is ${cluster.status}, not RUNNING; it cannot take applications`,
      );
    return cluster;
  }

  /**
   * The cluster of a job manager the user started (`-m HOST:PORT`): recorded once per address and
   * tenant (as deployment target "external"), checked to answer, and followed. The address of a
   * running cluster this control plane deployed for `tenant` names that cluster (a shared one only,
   * as with useShared). Any other address must be listed for the tenant (--external-jobmanager),
   * checked before anything is dialled, and only its listed secret is sent to it. Every address
   * that cannot be used is the same {@link JobManagerNotUsableError}, whatever the cause (logged).
   */
  async useExternal(address: string, tenant: string, signal: AbortSignal): Promise<Cluster> {
    // A job manager this control plane deployed is that cluster, not an external one.
    const deployed = await this.options.clusters.findLiveDeployed(address, tenant);
    if (deployed) return this.useShared(deployed.id, tenant);
    const listed = this.options.externalJobManagers?.usableBy(address, tenant);
    if (!listed) {
      this.options.logger.warn({ address, tenant }, 'refused -m: the address is not listed for the tenant');
      throw new JobManagerNotUsableError();
    }
    // Dialled and recorded as the operator wrote it. A record made under a secret the operator has
    // since changed is left to its applications: a new one takes the listed secret.
    const found = await this.options.clusters.findLiveExternal(listed.address, tenant);
    const known = found?.clusterSecret === (listed.clusterSecret ?? '') ? found : undefined;
    // A job manager that does not answer is not recorded at all.
    const probe = known ? this.links.gatewayOf(known) : this.options.connect(listed.address, listed.clusterSecret);
    let taskExecutors: number;
    try {
      taskExecutors = (await probe.overview({ timeoutMs: 5000, signal })).taskExecutors;
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger.warn({ address, tenant, err: error }, 'refused -m: the listed job manager did not answer');
      throw new JobManagerNotUsableError();
    } finally {
      if (!known) probe.close();
    }
    const id = known?.id ?? newRecordId('cluster');
    if (known) await this.options.clusters.update(id, { registeredTaskExecutors: taskExecutors });
    else {
      const external = {
        status: 'RUNNING' as const,
        deploymentTarget: 'external' as const,
        jobmanagerAddress: listed.address,
        deploymentReference: '',
        registeredTaskExecutors: taskExecutors,
      };
      const cluster = this.newCluster({
        id,
        tenant,
        clusterSecret: listed.clusterSecret ?? '',
        name: listed.address,
        ...external,
      });
      await this.options.store.transaction(async (tx) => {
        await tx.clusters.insert(cluster);
        await this.leases.claim(tx, id);
      });
    }
    // Another replica may follow it already: it relays this application's events too.
    if (await this.leases.take(id)) this.follow(await this.get(id));
    return this.get(id);
  }

  /** Stops following an external cluster once no application runs on it any more. */
  async releaseExternal(clusterId: string): Promise<void> {
    const cluster = await this.options.clusters.find(clusterId);
    if (
      cluster?.deploymentTarget !== 'external' ||
      (await this.options.applications.activeOnCluster(clusterId)).length > 0
    )
      return;
    void this.links.unfollow(clusterId);
  }

  /**
   * Starts stopping a cluster (ShutDownCluster) and returns it, usually STOPPING. An ended cluster is
   * returned unchanged. FAILED_PRECONDITION for a cluster an application owns and still runs on,
   * and for a cluster this control plane did not deploy.
   */
  async shutDown(clusterId: string): Promise<Cluster> {
    const cluster = await this.get(clusterId);
    if (isTerminalClusterStatus(cluster.status)) return cluster;
    if (cluster.deploymentTarget === 'external') {
      throw new FailedPreconditionError(
        `cluster ${cluster.id} (job manager at ${cluster.jobmanagerAddress}) was not deployed by this control plane; stop it where it was started`,
      );
    }
    const owner = cluster.ownerApplicationId
      ? await this.options.applications.find(cluster.ownerApplicationId)
      : undefined;
    if (owner && !isTerminalApplicationStatus(owner.status)) {
      throw new FailedPreconditionError(
        `cluster ${cluster.id} is owned by application ${owner.id}, which is ${owner.status}; cancel the application (flotilla cancel ${owner.id}) and its cluster stops with it`,
      );
    }
    // ShutDownCluster answers with the cluster STOPPING, recorded by the teardown's first step.
    if (!this.teardowns.has(cluster.id))
      await new Promise<void>(
        (resolve) => void this.tearDown(cluster.id, 'ShutDownCluster was called', resolve).finally(resolve),
      );
    return this.get(clusterId);
  }

  /** Tears down a cluster whose owner application ended; resolves once every process is gone (or the attempt failed). */
  tearDownOwned(clusterId: string, reason: string): Promise<void> {
    return this.tearDown(clusterId, reason);
  }

  /**
   * Picks up after a restart: clusters that were deploying are stopped and recorded FAILED (a
   * deployment cannot be resumed; an application waiting for one deploys anew), running ones are followed again from the last consumed event
   * (one whose job manager ended meanwhile is lost, with that cause, and what is left of it stopped), and interrupted teardowns are finished.
   */
  async recover(): Promise<void> {
    for (const cluster of await this.options.clusters.active()) await this.recoverCluster(cluster);
  }

  /**
   * Picks up one cluster this process has just taken the lease of (at start, or over from a
   * replica that stopped), as {@link recover} does for every cluster after a restart.
   */
  async recoverCluster(cluster: Cluster): Promise<void> {
    const { applications, logger } = this.options;
    if (cluster.deploymentTarget === 'external') {
      if ((await applications.activeOnCluster(cluster.id)).length > 0) this.follow(cluster);
    } else if (cluster.status === 'DEPLOYING') {
      await this.links
        .handle(cluster)
        .kill()
        .catch((error: unknown) =>
          logger.error(
            { err: error, clusterId: cluster.id },
            'processes of an interrupted deployment survived SIGKILL',
          ),
        );
      this.links.forget(cluster.id);
      // Its application (still DEPLOYING) deploys a new one when its launch is resumed.
      const reason = 'the control plane stopped while it was deploying the cluster';
      await this.recorder.change(
        cluster.id,
        { status: 'FAILED', endTime: new Date(), failure: { name: 'DeploymentError', message: reason, stack: '' } },
        reason,
      );
    } else if (cluster.status === 'RUNNING') {
      const owner = cluster.ownerApplicationId ? await applications.find(cluster.ownerApplicationId) : undefined;
      // Its application ended, but the control plane stopped before it began the teardown.
      if (owner && isTerminalApplicationStatus(owner.status)) {
        void this.tearDown(
          cluster.id,
          `application ${owner.id} ended ${owner.status} just before the control plane stopped`,
        );
        return;
      }
      // A job manager that ended while no control plane watched it took its unread events with it.
      const exit = await jobManagerExit(this.links.handle(cluster));
      if (exit === undefined) this.follow(cluster);
      else
        await this.jobManagerGone(
          cluster.id,
          `it ended while the control plane was down (its job manager at ${cluster.jobmanagerAddress} ${exit})`,
        );
    } else {
      void this.tearDown(cluster.id, 'finishing a teardown a control-plane restart interrupted');
    }
  }

  /**
   * Another replica took the cluster's lease over: stop following it at once, and stop a
   * deployment under way (its processes stopped; the new follower records the deployment failed and
   * the application deploys anew).
   */
  lost(clusterId: string): void {
    // Its connection stays: a launch of this replica may still be uploading to the cluster.
    void this.links.unfollow(clusterId);
    void this.deployments.abort(
      clusterId,
      new FencedWriteError(
        `another replica took over the lease of cluster ${clusterId} while this replica (${this.leases.holder}) deployed it`,
      ),
    );
  }

  /**
   * Stops following every cluster; clusters keep running (they outlive the control plane). A
   * deployment still under way is abandoned (its processes stopped), as the next start would.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.deployments.close();
    await this.links.close();
  }

  /**
   * Records a new cluster to deploy (with `alsoRecord` in the same unit of work) once its tenant's
   * limits are checked in that unit: RESOURCE_EXHAUSTED naming the setting when it would pass one.
   */
  private record(cluster: Cluster, alsoRecord?: (tx: StoreTransaction) => Promise<void>): Promise<void> {
    return this.options.store.transaction(async (tx) => {
      await this.checkLimits(tx, cluster.tenant, cluster.spec);
      await tx.clusters.insert(cluster);
      // Followed by this process from the start.
      await this.leases.claim(tx, cluster.id);
      await alsoRecord?.(tx);
    });
  }

  private newCluster(fields: Partial<Cluster> & Pick<Cluster, 'id' | 'name' | 'tenant'>): Cluster {
    return {
      // A new secret for every cluster deployed here: its processes take calls only from each other and from this control plane.
      clusterSecret: randomBytes(32).toString('base64url'),
      status: 'DEPLOYING',
      // The target's name is one of the deployed kinds ("local", "simulated").
      deploymentTarget: this.options.target.name as Cluster['deploymentTarget'],
      ownerApplicationId: '',
      jobmanagerAddress: '',
      spec: { taskExecutors: 0, slotsPerTaskExecutor: 0, properties: {} },
      // Given by the deployment target before it starts anything (ClusterDeployments).
      deploymentReference: '',
      registeredTaskExecutors: 0,
      lastJobEventSequence: 0,
      requestId: '',
      requestFingerprint: '',
      createTime: new Date(),
      ...fields,
    };
  }

  private follow(cluster: Cluster): void {
    this.links.follow(cluster, (reason) => {
      this.jobManagerGone(cluster.id, reason).catch((error: unknown) =>
        this.options.logger.error({ err: error, clusterId: cluster.id }, 'recording the loss of a cluster failed'),
      );
    });
  }

  private tearDown(clusterId: string, reason: string, onStopping?: () => void): Promise<void> {
    let teardown = this.teardowns.get(clusterId);
    if (!teardown) {
      // A teardown asked of a replica that does not follow the cluster: it takes the lease over
      // (the follower's next write is refused and it stops following), then tears it down.
      teardown = this.leases
        .seize(clusterId)
        .then(() => this.runTeardown(clusterId, reason, onStopping))
        .catch((error: unknown) => {
          if (this.closing) return;
          // Another replica ended the cluster first (its lease is nobody's for good): nothing is left to do here.
          if (error instanceof FencedWriteError && error.subjectEnded)
            this.options.logger.debug({ clusterId }, 'the cluster had ended already: another replica tore it down');
          else this.options.logger.error({ err: error, clusterId }, 'tearing the cluster down failed');
        })
        .finally(() => this.teardowns.delete(clusterId));
      this.teardowns.set(clusterId, teardown);
    }
    return teardown;
  }

  /**
   * Stops a cluster: STOPPING, then (a deployment under way is simply aborted) every process is
   * stopped within the target's bound, then STOPPED, or FAILED naming what survived. Applications
   * still on a shared cluster are told it is gone once it is.
   */
  private async runTeardown(clusterId: string, reason: string, onStopping?: () => void): Promise<void> {
    const cluster = await this.get(clusterId);
    if (isTerminalClusterStatus(cluster.status)) return;
    await this.recorder.change(clusterId, { status: 'STOPPING' }, `stopping: ${reason}`);
    onStopping?.();
    if (await this.deployments.abort(clusterId)) return;
    // An owned cluster's application has ended: there is nothing more to relay.
    if (cluster.ownerApplicationId) await this.links.unfollow(clusterId);
    let problem: Error | undefined;
    await this.links
      .handle(cluster)
      .tearDown(reason)
      .catch((error: Error) => (problem = error));
    await this.links.unfollow(clusterId);
    this.links.forget(clusterId);
    if (problem) {
      await this.recorder.change(
        clusterId,
        { status: 'FAILED', endTime: new Date(), failure: serializeError(problem) },
        `could not stop every process: ${problem.message}`,
      );
    } else {
      await this.recorder.change(
        clusterId,
        { status: 'STOPPED', endTime: new Date() },
        'every process of the cluster has exited',
      );
    }
    await this.options.observer.onClusterGone(await this.get(clusterId), { lost: false, reason });
  }

  /**
   * A follower found the job manager gone. During a teardown that is expected; for an owned cluster
   * whose application already ended it is the cluster ending itself (FLIP-40), so the rest is
   * stopped; otherwise the cluster was lost: it is recorded FAILED, whatever is left of its
   * processes is stopped, and then the applications on it are told.
   */
  private async jobManagerGone(clusterId: string, reason: string): Promise<void> {
    if (this.closing) return;
    const cluster = await this.get(clusterId);
    if (isTerminalClusterStatus(cluster.status) || cluster.status === 'STOPPING' || this.teardowns.has(clusterId))
      return;
    const owner = cluster.ownerApplicationId
      ? await this.options.applications.find(cluster.ownerApplicationId)
      : undefined;
    if (owner && isTerminalApplicationStatus(owner.status)) {
      void this.tearDown(clusterId, `application ${owner.id} ended and ${reason}`);
      return;
    }
    this.options.logger.warn({ clusterId, reason }, 'cluster lost');
    const failure = { name: 'ClusterLostError', message: `cluster ${clusterId} was lost: ${reason}`, stack: '' };
    await this.recorder.change(clusterId, { status: 'FAILED', endTime: new Date(), failure }, `lost: ${reason}`);
    const leftovers = cluster.deploymentTarget !== 'external' ? this.links.handle(cluster) : undefined;
    this.links.forget(clusterId);
    // What is left of it (task executors still running tasks) is stopped before the applications
    // hear of the loss (bounded by the teardown's schedule): a next driver attempt on a new cluster
    // runs a lost job again, and must not run it beside the old cluster's task writing the same output.
    await leftovers
      ?.tearDown(`cluster lost: ${reason}`)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, clusterId }, 'could not stop what was left of a lost cluster'),
      );
    await this.options.observer.onClusterGone(await this.get(clusterId), { lost: true, reason });
  }
}
