/**
 * The control plane process: opens its state (SQLite under the state dir, or PostgreSQL with
 * `store`; bundles in the artifact folder), assembles the domain (applications, clusters, their events), picks up what a restart
 * interrupted, and serves ClusterClientService with reflection and health. On shutdown it stops
 * following clusters but leaves them running: they outlive the control plane.
 */
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ArtifactStore } from '../blob/ArtifactStore.js';
import { BUNDLE_CACHE_DEFAULTS } from '../bundle/BundleCacheOptions.js';
import type { BundleLimitNames, BundleLimits } from '../bundle/BundleEntryChecker.js';
import { encodeBundleIndex } from '../bundle/BundleIndex.js';
import { checkUploadedBundle } from '../bundle/checkUploadedBundle.js';
import { StoredBundleIndexes } from '../bundle/StoredBundleIndexes.js';
import { DEFAULT_REPLAY_MAX_RESULT_BYTES } from './applications/DriverReplayRecorder.js';
import { DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS } from './applications/ClientHeartbeats.js';
import type { HostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { startServerHost, type ServerHost } from '../rpc/serverHost.js';
import { clusterClientService } from './service/clusterClientService.js';
import { createControlPlaneDomain, type ControlPlaneDomain } from './controlPlaneDomain.js';
import { SimulatedDeploymentTarget } from '../deployment/simulated/SimulatedDeploymentTarget.js';
import {
  KubernetesDeploymentTarget,
  type KubernetesDeploymentOptions,
} from '../deployment/kubernetes/KubernetesDeploymentTarget.js';
import type { SimulationScript } from '../deployment/simulated/SimulationScript.js';
import type { ConnectDispatcher } from './clusters/DispatcherGateway.js';
import type { ExternalJobManagers } from './clusters/ExternalJobManagers.js';
import { grpcDispatcherGateway } from './service/grpcDispatcherGateway.js';
import { simulatedDispatchers } from './service/simulatedDispatcherGateway.js';
import type { RetentionPolicy } from './retention/RetentionPolicy.js';
import { ClusterCertificateAuthority } from '../deployment/local/ClusterCertificateAuthority.js';
import type { ClusterUsers } from '../deployment/local/clusterUsers.js';
import type { ClientTls } from '../rpc/security/ClientSecurity.js';
import type { ServerSecurity } from '../rpc/security/ServerSecurity.js';
import { NO_METRICS, type Metrics } from '../common/metrics.js';
import { ControlPlaneMetrics } from './metrics/ControlPlaneMetrics.js';
import { TenantDirectory } from './tenants/TenantDirectory.js';
import { openControlPlaneStore } from './openControlPlaneStore.js';
import { withDurableService } from './service/withDurableAnswers.js';
import { redactedPostgresUrl } from './store/postgres/postgresUrl.js';
import { DEFAULT_FOLLOWER_LEASE_MS, ReplicaLeases } from './clusters/ReplicaLeases.js';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder with the database (SQLite), the artifacts and the clusters' CA; created if missing. */
  stateDir: string;
  /** The state's database: `postgresql://…`, or SQLite under the state dir when not given. */
  store?: string;
  /**
   * With PostgreSQL: how long a replica's lease on a cluster lasts without renewal
   * (DEFAULT_FOLLOWER_LEASE_MS unless given); a dead replica's clusters are taken over within this
   * plus a third of it. Not used with SQLite, whose one process follows every cluster.
   */
  followerLeaseMs?: number;
  /**
   * Where bundles are stored, content-addressed (`<stateDir>/artifacts` unless given): control
   * planes that share one PostgreSQL database must share this folder too.
   */
  artifactDir?: string;
  /** The largest bundle accepted, in bytes. */
  maxArtifactBytes: number;
  /** Limits on a bundle's entries and unpacked bytes, checked at upload (the task executors' defaults when not given). */
  bundleLimits?: BundleLimits;
  /** The process's logger. */
  logger: Logger;
  /** How long finished applications are kept whole; the defaults unless given. */
  retention?: Partial<RetentionPolicy>;
  /** How long the client of a session or per-job main() may go without a heartbeat; the default unless given. */
  clientHeartbeatTimeoutMs?: number;
  /** The most bytes of one driver-submitted job's result and collected records kept for replay (`--driver-replay-max-result-bytes`); the default unless given. */
  driverReplayMaxResultBytes?: number;
  /**
   * The lease time of clusters deployed for applications, in milliseconds: each ends itself once no
   * job has run and no control plane has renewed its lease for that long. No lease when not given or 0.
   */
  clusterLeaseTimeMs?: number;
  /**
   * Where clusters are deployed: `local` processes (the default), `kubernetes` pods (as `kubernetes`
   * says), or `simulated` clusters that exist only in this process's memory and play `simulation`
   * (benchmarks and demos without processes).
   */
  deploymentTarget?: 'local' | 'kubernetes' | 'simulated';
  /** Where and how clusters run with deploymentTarget `kubernetes`: kubeconfig, the pods' settings. */
  kubernetes?: Pick<KubernetesDeploymentOptions, 'kubeconfig' | 'settings' | 'nodeLogDir'>;
  /** What simulated clusters play; the defaults unless given. */
  simulation?: Partial<SimulationScript>;
  /** TLS, bearer-token authentication, and whether to listen beyond loopback unsecured; plaintext, open and loopback-only when not given. */
  security?: ServerSecurity;
  /** The tenants, their tokens and limits; the single tenant '' without a limit when not given. */
  tenants?: TenantDirectory;
  /**
   * TLS towards job managers, trusting these CAs; plaintext when not given. With it, local clusters
   * speak TLS too, each with a certificate of its own from the clusters' CA (made in the state dir's
   * `cluster-ca/` on first start), which the control plane trusts besides these.
   */
  clusterTls?: ClientTls;
  /** The job managers tenants may name by address (`-m`, --external-jobmanager), with their secrets; none when not given. */
  externalJobManagers?: ExternalJobManagers;
  /** Where local clusters get their folders, outside the state dir; `<stateDir>-clusters` unless given. */
  clusterDir?: string;
  /** The users local clusters run as; the control plane's own when not given. */
  clusterUsers?: ClusterUsers;
  /** The largest message taken or sent, in bytes (the server's default when not given). */
  maxMessageBytes?: number;
  /** Local clusters' job managers serve metrics on loopback, each address in its cluster's folder (`--cluster-metrics`); off when not given. */
  clusterMetrics?: boolean;
  /** Where the control plane publishes its metrics (`--metrics-listen`); nowhere when not given. */
  metrics?: Metrics;
  /** The most streams one caller (tenant, or client host without tokens) may hold open; no limit when not given. */
  maxStreamsPerCaller?: number;
  /** A private Unix socket on which ClusterClientService is also served, for the dashboard's gRPC-Web bridge; none when not given. */
  internalSocket?: string;
}

/** The defaults of the control plane's settings. */
export const CONTROL_PLANE_DEFAULTS = {
  listen: '127.0.0.1:6180',
  maxArtifactBytes: 512 * 1024 * 1024,
  clientHeartbeatTimeoutMs: DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS,
  driverReplayMaxResultBytes: DEFAULT_REPLAY_MAX_RESULT_BYTES,
  /** 5 minutes: longer than a control plane's restart, short enough that an orphaned cluster does not linger. */
  clusterLeaseTimeMs: 5 * 60_000,
} as const;

/** The control plane's flags that set the bundle limits, as refusals name them. */
const BUNDLE_LIMIT_FLAGS: BundleLimitNames = {
  maxEntries: '--max-bundle-entries',
  maxUnpackedBytes: '--max-bundle-unpacked-bytes',
};

/** Starts the control plane; resolves once it listens. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ServerHost> {
  // A state dir that cannot be written is the operator's to fix: the store says so, without a stack.
  const { logger } = options;
  const store = await openControlPlaneStore({
    stateDir: options.stateDir,
    store: options.store,
    onConnectionError: (error) => logger.warn({ err: error }, 'a database connection failed; it is replaced'),
    // A replica paused inside a unit must not hold its locks (and a takeover) past half its lease.
    idleInTransactionMs: (options.followerLeaseMs ?? DEFAULT_FOLLOWER_LEASE_MS) / 2,
  });
  // Answers and events wait until what they report is on disk (group commit: one fsync per burst of commits).
  const durable = () => store.durable();
  let domain: ControlPlaneDomain | undefined;
  try {
    const bundleLimits = options.bundleLimits ?? BUNDLE_CACHE_DEFAULTS;
    const artifacts = await ArtifactStore.open(
      options.artifactDir ?? join(options.stateDir, 'artifacts'),
      store.artifacts,
      {
        maxArtifactBytes: options.maxArtifactBytes,
        // A bundle is checked once, here, as every task executor will check it before unpacking; what
        // the check read is kept beside it as its index, which RunApplication's entry check reads.
        inspect: async (file) => encodeBundleIndex(await checkUploadedBundle(file, bundleLimits, BUNDLE_LIMIT_FLAGS)),
      },
    );
    const simulated =
      options.deploymentTarget === 'simulated' ? new SimulatedDeploymentTarget(options.simulation) : undefined;
    const onKubernetes = options.deploymentTarget === 'kubernetes';
    const tenants = options.tenants ?? new TenantDirectory(undefined);
    // Local clusters and clusters of pods get their certificates from one CA of the control plane's.
    const clusterCa =
      options.clusterTls && !simulated
        ? await ClusterCertificateAuthority.open(join(options.stateDir, 'cluster-ca'))
        : undefined;
    const clusterTls = clusterCa
      ? { caPem: `${options.clusterTls?.caPem ?? rootCertificates.join('\n')}\n${clusterCa.caPem}` }
      : onKubernetes
        ? undefined
        : options.clusterTls;
    const metrics = ControlPlaneMetrics.withApplicationCounts(options.metrics ?? NO_METRICS, () =>
      store.applications.countByStatusAndMode(),
    );
    const connectGrpc: ConnectDispatcher = (address, clusterSecret, serverName) =>
      grpcDispatcherGateway(address, {
        tls: clusterTls && serverName ? { ...clusterTls, serverName } : clusterTls,
        clusterSecret,
      });
    if (!simulated && options.clusterUsers?.warning) logger.warn(options.clusterUsers.warning);
    const connect = simulated ? simulatedDispatchers(simulated, connectGrpc) : connectGrpc;
    // Replicas on one PostgreSQL database share the clusters through leases; SQLite's one process follows them all.
    const fencedWrites = (options.metrics ?? NO_METRICS).counter({
      name: 'flotilla_controlplane_fenced_writes_total',
      help: "Writes of this replica as a cluster's follower that the store refused because another replica had taken the cluster's lease over.",
    });
    const leases = options.store
      ? new ReplicaLeases({
          store,
          logger: logger.child({ component: 'leases' }),
          leaseMs: options.followerLeaseMs,
          onFencedWrite: () => fencedWrites.inc(),
        })
      : undefined;
    const kubernetes = onKubernetes
      ? new KubernetesDeploymentTarget({
          ...options.kubernetes!,
          connect,
          certificateAuthority: clusterCa,
          logger: logger.child({ component: 'deployment' }),
        })
      : undefined;
    domain = createControlPlaneDomain({
      store,
      artifacts,
      stateDir: options.stateDir,
      connect,
      target: simulated ?? kubernetes,
      logger,
      retention: options.retention,
      clientHeartbeatTimeoutMs: options.clientHeartbeatTimeoutMs,
      driverReplayMaxResultBytes: options.driverReplayMaxResultBytes,
      clusterLeaseTimeMs: options.clusterLeaseTimeMs,
      externalJobManagers: options.externalJobManagers,
      clustersDir: options.clusterDir,
      clusterCertificateAuthority: clusterCa,
      clusterUsers: options.clusterUsers,
      applicationLimit: (tenant) => tenants.applicationLimit(tenant),
      clusterLimits: (tenant) => tenants.clusterLimits(tenant),
      bundles: new StoredBundleIndexes(artifacts, bundleLimits, BUNDLE_LIMIT_FLAGS),
      metrics,
      clusterMetrics: options.clusterMetrics,
      leases,
    });
    await domain.recover();
    const host = await startServerHost({
      listen: options.listen,
      logger,
      security: options.security,
      maxMessageBytes: options.maxMessageBytes,
      maxStreamsPerCaller: options.maxStreamsPerCaller,
      internalSocket: options.internalSocket,
      services: [
        withDurableService(
          clusterClientService({ artifacts, views: domain.views, stateDir: options.stateDir, metrics }),
          durable,
        ),
      ],
    });
    logger.info(
      {
        address: host.address,
        stateDir: options.stateDir,
        store: options.store ? redactedPostgresUrl(options.store) : 'sqlite',
        deploymentTarget: (simulated ?? kubernetes)?.name ?? 'local',
        kubernetes: kubernetes
          ? { namespace: options.kubernetes!.settings.namespace, image: options.kubernetes!.settings.image }
          : undefined,
        clusterUsers:
          simulated || kubernetes
            ? undefined
            : (options.clusterUsers?.description ?? "as the control plane's own user"),
        simulation: simulated?.script,
      },
      'control plane started',
    );
    const started = domain;
    return {
      address: host.address,
      async shutdown() {
        await host.shutdown();
        await started.close();
        await store.close();
      },
    };
  } catch (error) {
    await domain?.close();
    await store.close();
    throw error;
  }
}
