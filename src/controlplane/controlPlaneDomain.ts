/**
 * Puts the control plane's domain together over its state database: the stores, the event log,
 * the `local` deployment target, the cluster and application managers, and how they hear of each
 * other. Nothing here serves gRPC; the Dispatcher is reached through the gateway it is given.
 */
import { join } from 'node:path';
import type { ArtifactStore } from '../blob/ArtifactStore.js';
import type { Logger } from '../common/logger.js';
import type { DeploymentTarget } from '../deployment/DeploymentTarget.js';
import { LocalDeploymentTarget, type LocalClusterTls } from '../deployment/local/LocalDeploymentTarget.js';
import { ApplicationLifecycle } from './applications/ApplicationLifecycle.js';
import { ApplicationManager, type ApplicationLimit } from './applications/ApplicationManager.js';
import { ClusterEventRouter } from './applications/ClusterEventRouter.js';
import { DriverLauncher } from './applications/DriverLauncher.js';
import { ClusterManager } from './clusters/ClusterManager.js';
import type { ConnectDispatcher } from './clusters/DispatcherGateway.js';
import { ApplicationEventLog } from './events/ApplicationEventLog.js';
import { DriverLogs } from './logs/DriverLogs.js';
import { ApplicationCompactor } from './retention/ApplicationCompactor.js';
import { compileRetentionPolicy, type RetentionPolicy } from './retention/RetentionPolicy.js';
import { JobDirectory } from './jobs/JobDirectory.js';
import { JobSubmissions } from './jobs/JobSubmissions.js';
import { PerJobClusters } from './jobs/PerJobClusters.js';
import { ClientHeartbeats, DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS } from './applications/ClientHeartbeats.js';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { TenantView, type TenantViews } from './tenants/TenantView.js';

/** Settings of the domain; the defaults suit production. */
export interface ControlPlaneDomainOptions {
  /** The control plane's state; events and log pieces are sent only once what they report is durable there. */
  store: ControlPlaneStore;
  artifacts: ArtifactStore;
  /** The control plane's state dir; clusters get folders under `clusters/`. */
  stateDir: string;
  connect: ConnectDispatcher;
  logger: Logger;
  /** Where clusters are deployed; the `local` target unless given. */
  target?: DeploymentTarget;
  /** How long to wait for a cluster's own final status once an application's jobs imply one (default 5 s). */
  statusGraceMs?: number;
  /** How long a job manager may be unreachable before its cluster counts as lost (default 10 s). */
  clusterLossTimeoutMs?: number;
  /** How long finished applications are kept whole (RETENTION_DEFAULTS unless given). */
  retention?: Partial<RetentionPolicy>;
  /** How long the client running a session or per-job main() may go without a heartbeat (default 60 s). */
  clientHeartbeatTimeoutMs?: number;
  /** The TLS files local clusters get, so they speak TLS when the control plane does; plaintext clusters when not given. */
  localClusterTls?: LocalClusterTls;
  /** The secret presented to job managers named by address (`-m`); none when not given. */
  externalClusterSecret?: string;
  /** How many applications a tenant may run at once; no limit when not given. */
  applicationLimit?: (tenant: string) => ApplicationLimit | undefined;
}

/** The assembled domain. */
export interface ControlPlaneDomain {
  applications: ApplicationManager;
  clusters: ClusterManager;
  /** What applications' drivers wrote, copied from their clusters: ReadDriverLog. */
  driverLogs: DriverLogs;
  /** The jobs of applications: GetJob, ListJobs, CancelJob, RequestJobResult. */
  jobs: JobDirectory;
  /** SubmitJob of client-side main()s (session and per-job modes). */
  submissions: JobSubmissions;
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
  const durable = () => store.durable();
  const applicationStore = store.applications;
  const log = new ApplicationEventLog(store.events, applicationStore, durable);
  const driverLogs = new DriverLogs({
    store: store.driverLogs,
    applications: applicationStore,
    clusters: { get: (clusterId) => clusters.get(clusterId), gateway: (clusterId) => clusters.gateway(clusterId) },
    logger: logger.child({ component: 'driver-logs' }),
    durable,
  });
  log.onAppended((event) => driverLogs.applicationEvent(event));
  const compactor = new ApplicationCompactor({
    store: store.retention,
    policy: compileRetentionPolicy(options.retention),
    logger: logger.child({ component: 'retention' }),
  });
  let closing = false;
  let applications: ApplicationManager | undefined;
  const lifecycle = new ApplicationLifecycle({
    store,
    log,
    logger,
    // An owned cluster is torn down only once its driver's last output has been copied.
    onEnded: (application) => driverLogs.afterCopied(application.id, () => applications?.applicationEnded(application)),
  });
  const jobStore = store.jobs;
  let perJob: PerJobClusters | undefined;
  const router = new ClusterEventRouter({
    store,
    lifecycle,
    logger,
    statusGraceMs: options.statusGraceMs ?? 5000,
    onJobEnded: (jobId) => perJob?.jobEnded(jobId),
  });
  const clustersDir = join(options.stateDir, 'clusters');
  const clusters = new ClusterManager({
    store,
    clusters: store.clusters,
    applications: applicationStore,
    target:
      options.target ??
      new LocalDeploymentTarget({
        connect: options.connect,
        logger: logger.child({ component: 'deployment' }),
        tls: options.localClusterTls,
      }),
    connect: options.connect,
    observer: router,
    clustersDir,
    logger: logger.child({ component: 'clusters' }),
    lossTimeoutMs: options.clusterLossTimeoutMs,
    externalClusterSecret: options.externalClusterSecret,
  });
  const launcher = new DriverLauncher({
    applications: applicationStore,
    clusters,
    artifacts: options.artifacts,
    lifecycle,
    logger,
    closing: () => closing,
  });
  perJob = new PerJobClusters({ applications: applicationStore, jobs: jobStore, clusters, logger });
  const perJobClusters = perJob;
  const heartbeats = new ClientHeartbeats({
    applications: applicationStore,
    timeoutMs: options.clientHeartbeatTimeoutMs ?? DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS,
    onLost: (applicationId, failure) => applications?.completeClientMain(applicationId, failure),
    logger,
  });
  applications = new ApplicationManager({
    store,
    log,
    artifacts: options.artifacts,
    clusters,
    lifecycle,
    router,
    launcher,
    perJob: perJobClusters,
    heartbeats,
    logger,
    applicationLimit: options.applicationLimit,
  });
  const manager = applications;
  const jobs = new JobDirectory({
    jobs: jobStore,
    clusters,
    onResultDelivered: (jobId) => perJobClusters.resultDelivered(jobId),
  });
  const submissions = new JobSubmissions({
    applications: applicationStore,
    jobs: jobStore,
    clusters,
    artifacts: options.artifacts,
    logger,
  });
  const scoped = { applications: manager, clusters, driverLogs, jobs, submissions };
  return {
    ...scoped,
    views: (tenant) => new TenantView(scoped, tenant),
    async recover() {
      await clusters.recover();
      await manager.recover();
      await driverLogs.recover();
      compactor.start();
      heartbeats.start();
    },
    async close() {
      closing = true;
      heartbeats.close();
      compactor.close();
      await driverLogs.close();
      submissions.close();
      await clusters.close();
      launcher.close();
      router.close();
    },
  };
}
