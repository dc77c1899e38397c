/**
 * Puts the control plane's domain together over its state database: the stores, the event log,
 * the `local` deployment target, the cluster and application managers, and how they hear of each
 * other. Components are built in the order they depend on each other (stores, clusters, driver
 * logs, applications, jobs), and each publishes what happened to it as a control-plane event
 * (events/ControlPlaneEvent.ts); the subscriptions at the end say who follows up on what, so no
 * component reaches one built after it. Nothing here serves gRPC; the Dispatcher is reached
 * through the gateway it is given.
 */
import type { ArtifactStore } from '../blob/ArtifactStore.js';
import { BUNDLE_CACHE_DEFAULTS } from '../bundle/BundleCacheOptions.js';
import { StoredBundleIndexes, type StoredBundles } from '../bundle/StoredBundleIndexes.js';
import type { Logger } from '../common/logger.js';
import type { DeploymentTarget } from '../deployment/DeploymentTarget.js';
import type { ClusterCertificateAuthority } from '../deployment/local/ClusterCertificateAuthority.js';
import { defaultClustersDir } from '../deployment/local/clusterFolder.js';
import type { ClusterUsers } from '../deployment/local/clusterUsers.js';
import { LocalDeploymentTarget } from '../deployment/local/LocalDeploymentTarget.js';
import { ApplicationCleanup } from './applications/ApplicationCleanup.js';
import { ApplicationLauncher } from './applications/ApplicationLauncher.js';
import { ApplicationLifecycle } from './applications/ApplicationLifecycle.js';
import { ApplicationManager, type ApplicationLimit } from './applications/ApplicationManager.js';
import { ApplicationRecovery } from './applications/ApplicationRecovery.js';
import { ClientHeartbeats, DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS } from './applications/ClientHeartbeats.js';
import { ClientMains } from './applications/ClientMains.js';
import { DriverAttempts } from './applications/DriverAttempts.js';
import { DEFAULT_REPLAY_MAX_RESULT_BYTES, DriverReplayRecorder } from './applications/DriverReplayRecorder.js';
import { ClusterEventRouter } from './applications/ClusterEventRouter.js';
import { FollowerTakeover } from './applications/FollowerTakeover.js';
import { JobCanceller } from './applications/JobCanceller.js';
import { ClusterManager } from './clusters/ClusterManager.js';
import type { ConnectDispatcher } from './clusters/DispatcherGateway.js';
import type { FollowerLeases } from './clusters/FollowerLeases.js';
import { SoleFollower } from './clusters/SoleFollower.js';
import type { ExternalJobManagers } from './clusters/ExternalJobManagers.js';
import { ApplicationEventLog } from './events/ApplicationEventLog.js';
import { ClusterEventPublisher } from './events/ClusterEventPublisher.js';
import { ControlPlaneEvents } from './events/ControlPlaneEvents.js';
import { JobDirectory } from './jobs/JobDirectory.js';
import { JobSubmissions } from './jobs/JobSubmissions.js';
import { PerJobClusters } from './jobs/PerJobClusters.js';
import type { ClusterLimitsOf } from './clusters/ClusterLimits.js';
import { DriverLogs } from './logs/DriverLogs.js';
import type { ControlPlaneMetrics } from './metrics/ControlPlaneMetrics.js';
import { ApplicationCompactor } from './retention/ApplicationCompactor.js';
import { compileRetentionPolicy, type RetentionPolicy } from './retention/RetentionPolicy.js';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { TenantView, type TenantViews } from './tenants/TenantView.js';
import { ApplicationSavepoints } from './savepoints/ApplicationSavepoints.js';

/** Settings of the domain; the defaults suit production. */
export interface ControlPlaneDomainOptions {
  /** The control plane's state; events and log pieces are sent only once what they report is durable there. */
  store: ControlPlaneStore;
  artifacts: ArtifactStore;
  /** The control plane's state dir. */
  stateDir: string;
  /** Where local clusters get their folders, outside the state dir; `<stateDir>-clusters` unless given. */
  clustersDir?: string;
  /** The CA that gives each local cluster a TLS certificate of its own; plaintext clusters when not given. */
  clusterCertificateAuthority?: ClusterCertificateAuthority;
  /** The users local clusters run as; the control plane's own when not given. */
  clusterUsers?: ClusterUsers;
  connect: ConnectDispatcher;
  logger: Logger;
  /** Where clusters are deployed; the `local` target unless given. */
  target?: DeploymentTarget;
  /** How long to wait for a cluster's own final status once an application's jobs imply one (default 5 s). */
  statusGraceMs?: number;
  /** How long a job manager may be unreachable before its cluster counts as lost (default 10 s). */
  clusterLossTimeoutMs?: number;
  /** The lease time of clusters deployed for applications, in milliseconds; no lease when not given or 0. */
  clusterLeaseTimeMs?: number;
  /** How long finished applications are kept whole (RETENTION_DEFAULTS unless given). */
  retention?: Partial<RetentionPolicy>;
  /** How long the client running a session or per-job main() may go without a heartbeat (default 60 s). */
  clientHeartbeatTimeoutMs?: number;
  /** The most bytes of one driver-submitted job's result kept for replay; DEFAULT_REPLAY_MAX_RESULT_BYTES unless given. */
  driverReplayMaxResultBytes?: number;
  /** The job managers tenants may name by address (`-m`, --external-jobmanager), with their secrets; none when not given. */
  externalJobManagers?: ExternalJobManagers;
  /** How many applications a tenant may run at once; no limit when not given. */
  applicationLimit?: (tenant: string) => ApplicationLimit | undefined;
  /** How many clusters may be deployed for a tenant, and task executors in them; no limit when not given. */
  clusterLimits?: ClusterLimitsOf;
  /** Local clusters' job managers serve metrics on loopback (`--cluster-metrics`); off when not given. */
  clusterMetrics?: boolean;
  /** Where the domain's metrics go; nowhere when not given. */
  metrics?: ControlPlaneMetrics;
  /** The indexes of the stored bundles, which entry checks read; over `artifacts` with the default bundle limits when not given. */
  bundles?: StoredBundles;
  /**
   * Which clusters and launches this process follows: all of them when it is the only process on
   * its store (SQLite; the default), or those it holds leases of, among replicas on PostgreSQL.
   */
  leases?: FollowerLeases;
}

/** The assembled domain. */
export interface ControlPlaneDomain {
  applications: ApplicationManager;
  /** The main()s that run in clients (session and per-job modes): CompleteClientMain, ReportClientHeartbeat. */
  clientMains: ClientMains;
  clusters: ClusterManager;
  /** What applications' drivers wrote, copied from their clusters: ReadDriverLog. */
  driverLogs: DriverLogs;
  /** The jobs of applications: GetJob, ListJobs, CancelJob, RequestJobResult. */
  jobs: JobDirectory;
  /** SubmitJob of client-side main()s (session and per-job modes). */
  submissions: JobSubmissions;
  /** TriggerSavepoint and StopApplication. */
  savepoints: ApplicationSavepoints;
  /** The domain as one tenant sees it: what the gRPC adapter calls. */
  views: TenantViews;
  /** Picks up clusters and applications a restart interrupted. */
  recover(): Promise<void>;
  /** Stops following clusters and every timer; clusters keep running. */
  close(): Promise<void>;
}

/** Builds the domain. */
export function createControlPlaneDomain(options: ControlPlaneDomainOptions): ControlPlaneDomain {
  const { store, logger } = options;
  const leases = options.leases ?? new SoleFollower();
  // Aborted first at close: work in flight is then left for the next start to resume.
  const shutdown = new AbortController();
  const events = new ControlPlaneEvents();
  const durable = () => store.durable();
  const applicationStore = store.applications;
  const jobStore = store.jobs;
  const log = new ApplicationEventLog(store.events, applicationStore, durable);
  const compactor = new ApplicationCompactor({
    store: store.retention,
    policy: compileRetentionPolicy(options.retention),
    logger: logger.child({ component: 'retention' }),
  });
  const clusters = new ClusterManager({
    store,
    clusters: store.clusters,
    applications: applicationStore,
    target:
      options.target ??
      new LocalDeploymentTarget({
        clustersDir: options.clustersDir ?? defaultClustersDir(options.stateDir, options.clusterUsers?.switchesUser),
        connect: options.connect,
        logger: logger.child({ component: 'deployment' }),
        certificateAuthority: options.clusterCertificateAuthority,
        users: options.clusterUsers,
        jobManagerMetrics: options.clusterMetrics,
      }),
    connect: options.connect,
    observer: new ClusterEventPublisher(events),
    logger: logger.child({ component: 'clusters' }),
    clusterLimits: options.clusterLimits,
    lossTimeoutMs: options.clusterLossTimeoutMs,
    leaseTimeMs: options.clusterLeaseTimeMs,
    externalJobManagers: options.externalJobManagers,
    onDeploymentEnded: (outcome, seconds) => options.metrics?.clusterDeployed(outcome, seconds),
    leases,
  });
  const driverLogs = new DriverLogs({
    store: store.driverLogs,
    applications: applicationStore,
    clusters,
    logger: logger.child({ component: 'driver-logs' }),
    durable,
    follows: (clusterId) => leases.holds(clusterId),
  });
  log.onAppended((event) => driverLogs.applicationEvent(event));
  const { metrics } = options;
  if (metrics) log.onAppended((event) => metrics.appended(event));
  const lifecycle = new ApplicationLifecycle({ store, log, logger, publisher: events });
  const replay = new DriverReplayRecorder({
    store,
    clusters,
    maxResultBytes: options.driverReplayMaxResultBytes ?? DEFAULT_REPLAY_MAX_RESULT_BYTES,
    logger: logger.child({ component: 'replay' }),
  });
  const router = new ClusterEventRouter({
    store,
    lifecycle,
    logger,
    statusGraceMs: options.statusGraceMs ?? 5000,
    publisher: events,
    // The launcher is made below; a next attempt is launched only once events flow.
    attempts: new DriverAttempts({ store, lifecycle, logger, launch: (id) => launcher.launch(id) }),
    replay,
  });
  const launcher = new ApplicationLauncher({
    applications: applicationStore,
    clusters,
    artifacts: options.artifacts,
    lifecycle,
    logger,
    shutdown: shutdown.signal,
    leases,
    driverReplay: (application) => replay.replayFor(application),
  });
  const heartbeats = new ClientHeartbeats({
    applications: applicationStore,
    timeoutMs: options.clientHeartbeatTimeoutMs ?? DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS,
    publisher: events,
    // Any replica records a heartbeat; the one that holds the application's lease decides whether its client is lost.
    watches: (applicationId) => leases.holds(applicationId),
    logger,
  });
  const jobCanceller = new JobCanceller({ jobs: jobStore, clusters, logger });
  const clientMains = new ClientMains({
    applications: applicationStore,
    lifecycle,
    router,
    launcher,
    heartbeats,
    jobs: jobCanceller,
    publisher: events,
    logger,
  });
  const applications = new ApplicationManager({
    store,
    log,
    artifacts: options.artifacts,
    clusters,
    lifecycle,
    launcher,
    clientMains,
    logger,
    applicationLimit: options.applicationLimit,
    leases,
    bundles: options.bundles ?? new StoredBundleIndexes(options.artifacts, BUNDLE_CACHE_DEFAULTS),
  });
  const recovery = new ApplicationRecovery({ applications: applicationStore, clusters, launcher, lifecycle, router });
  const cleanup = new ApplicationCleanup({ clusters, router, jobs: jobCanceller });
  const takeover = new FollowerTakeover({
    store,
    clusters,
    recovery,
    leases,
    considerDriverLog: (applicationId) => driverLogs.consider(applicationId),
    logger: logger.child({ component: 'takeover' }),
  });
  let stopHearing = (): void => undefined;
  const perJob = new PerJobClusters({ applications: applicationStore, jobs: jobStore, clusters, logger });
  const jobs = new JobDirectory({ jobs: jobStore, clusters, publisher: events });
  const submissions = new JobSubmissions({
    applications: applicationStore,
    jobs: jobStore,
    clusters,
    artifacts: options.artifacts,
    logger,
  });

  // Who follows up on what. Cluster events are handled inside the units of work that record them.
  events.on('clusterJobEvent', ({ tx, cluster, event }) => router.onJobEvent(tx, cluster, event));
  events.on('clusterStatusChanged', ({ tx, cluster, message }) => router.onClusterStatus(tx, cluster, message));
  events.on('clusterEnded', ({ cluster, lost, reason }) => router.onClusterGone(cluster, { lost, reason }));
  // An owned cluster is torn down only once its driver's last output has been copied.
  events.on('applicationEnded', ({ application }) => {
    leases.ended(application.id);
    driverLogs.afterCopied(application.id, () => cleanup.applicationEnded(application));
  });
  events.on('clientLost', ({ applicationId, failure }) => clientMains.complete(applicationId, failure));
  events.on('clientMainEnded', ({ applicationId }) => perJob.clientMainEnded(applicationId));
  events.on('jobEnded', ({ jobId }) => perJob.jobEnded(jobId));
  events.on('jobResultDelivered', ({ jobId }) => perJob.resultDelivered(jobId));

  const savepoints = new ApplicationSavepoints({
    store,
    log,
    clusters,
    cancel: (applicationId) => applications.cancel(applicationId),
    logger: logger.child({ component: 'savepoints' }),
  });
  const scoped = { applications, clientMains, clusters, driverLogs, jobs, submissions, savepoints };
  return {
    ...scoped,
    views: (tenant) => new TenantView(scoped, tenant),
    async recover() {
      if (leases.shared) {
        // Watchers here read on when another replica committed what they wait for.
        stopHearing = store.onRemoteChange((change) => {
          if (change.kind === 'events') log.remoteChange(change.applicationId);
          // A following driver-log reader ends once the copy is complete and the application has
          // ended; another replica may store either last, so an event wakes it too (as a local one
          // does through driverLogs.applicationEvent).
          driverLogs.remoteChange(change.applicationId);
        });
        await leases.start({
          adopt: (subjectIds) => takeover.adopt(subjectIds),
          lost: (subjectId) => {
            if (!subjectId.startsWith('cluster-')) return launcher.takenOver(subjectId);
            clusters.lost(subjectId);
            driverLogs.stopCopiesFrom(subjectId);
          },
        });
      } else {
        await clusters.recover();
        await recovery.recover();
        await driverLogs.recover();
      }
      compactor.start();
      heartbeats.start();
    },
    async close() {
      shutdown.abort();
      heartbeats.close();
      compactor.close();
      await driverLogs.close();
      submissions.close();
      await clusters.close();
      launcher.close();
      router.close();
      stopHearing();
      // Let go of every lease: other replicas take them over at once instead of after they expire.
      await leases.close();
    },
  };
}
