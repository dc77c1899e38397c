/**
 * The job manager process of a session cluster: the Dispatcher (jobs, their job masters, results,
 * events and output) and the resource manager (task executors, slots, heartbeats) behind
 * DispatcherService, with reflection and health; applications' `main()` in application mode runs
 * here too, in worker threads ({@link taskWorkerMainHost}).
 */
import type { BundleUriRoots } from '../../bundle/BundleUriRoots.js';
import type { HostPort } from '../../common/address.js';
import { ensurePrivateDir } from '../../common/privateDir.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logger.js';
import { ResourceManager } from '../../resourcemanager/ResourceManager.js';
import { grpcTaskExecutorGateway } from './grpcTaskExecutorGateway.js';
import { openBlobServerStore } from '../../blob/openBlobServerStore.js';
import { downloadArtifactHandler, uploadArtifactHandler } from '../../blob/service/index.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import type { ServerSecurity } from '../../rpc/security/ServerSecurity.js';
import { startServerHost, type ServerHost } from '../../rpc/serverHost.js';
import { Dispatcher } from '../Dispatcher.js';
import type { DispatcherOptions } from '../DispatcherOptions.js';
import { dispatcherService } from './dispatcherService.js';
import { NO_METRICS, type Metrics } from '../../common/metrics.js';
import { JobManagerMetrics } from '../JobManagerMetrics.js';
import { taskWorkerMainHost } from '../taskWorkerMainHost.js';
import { ClusterLease } from '../ClusterLease.js';

/** Options of {@link startJobManager}. */
export interface JobManagerOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder for files the process writes (bundles, scratch); created 0700, refused when another user can enter it. */
  stateDir: string;
  /** The cluster's id; a new one when not given. */
  clusterId?: string;
  /** How often task executors heartbeat, in milliseconds. */
  heartbeatIntervalMs: number;
  /** How long without a heartbeat before a task executor is lost, in milliseconds. */
  heartbeatTimeoutMs: number;
  /** How long a slot request waits for a fitting slot before RESOURCE_EXHAUSTED, in milliseconds. */
  slotRequestTimeoutMs: number;
  /** The process's logger. */
  logger: Logger;
  /**
   * Called once ShutDownCluster has cancelled every job and stopped the task executors: the process
   * should shut the job manager down and exit. Without it, the job manager shuts its server down itself.
   */
  onShutDown?: (reason: string) => void;
  /** TLS and the cluster secret callers must present; plaintext, open and loopback-only when not given. */
  security?: ServerSecurity;
  /** What this process's own calls (to task executors, and a main()'s to this job manager) use: TLS, the cluster secret. */
  clientSecurity?: ClientSecurity;
  /** The largest message taken or sent, in bytes (the server's default when not given). */
  maxMessageBytes?: number;
  /** The most streams one caller may hold open (no limit when not given). */
  maxStreamsPerCaller?: number;
  /** Where bundles named by a uri may be (`--bundle-uri-root`); none when not given. */
  bundleUriRoots?: BundleUriRoots;
  /** Where the job manager publishes its metrics (`--metrics-listen`); nowhere when not given. */
  metrics?: Metrics;
  /**
   * The cluster's lease time in milliseconds (`--lease-time`): once no job has run and no control
   * plane has renewed the lease (RenewClusterLease) for that long, the cluster shuts itself down.
   * No lease when not given or 0 (a cluster started by hand runs until it is stopped).
   */
  leaseTimeMs?: number;
  /**
   * Called once when the lease expired, before the cluster shuts down: the process learns that it
   * ends itself with no control plane left to clean up after it (a job manager on Kubernetes then
   * deletes its own pod once its server is down).
   */
  onLeaseExpired?: (reason: string) => void;
  /** The Dispatcher's memory bounds; defaults in DISPATCHER_DEFAULTS. */
  limits?: Pick<
    DispatcherOptions,
    'maxCollectedBytesPerJob' | 'maxRetainedEvents' | 'maxOutputBytesPerJob' | 'maxRetainedEndedJobs'
  >;
}

/** The defaults of the job manager's settings. */
export const JOB_MANAGER_DEFAULTS = {
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 10_000,
  slotRequestTimeoutMs: 30_000,
} as const;

/** Starts the job manager; resolves once it listens. */
export async function startJobManager(options: JobManagerOptions): Promise<ServerHost> {
  ensurePrivateDir(options.stateDir, 'the state dir');
  const clusterId = options.clusterId ?? newId('cluster');
  const resourceManager = new ResourceManager({
    clusterId,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    slotRequestTimeoutMs: options.slotRequestTimeoutMs,
    connect: (address) => grpcTaskExecutorGateway(address, undefined, options.clientSecurity),
    logger: options.logger,
  });
  const blobs = openBlobServerStore(options.stateDir);
  const mainHost = taskWorkerMainHost({
    blobs,
    stateDir: options.stateDir,
    logger: options.logger,
    clientSecurity: options.clientSecurity,
    bundleUriRoots: options.bundleUriRoots,
  });
  let address = '';
  const metrics: JobManagerMetrics = new JobManagerMetrics(options.metrics ?? NO_METRICS, {
    // Read at scrapes, which begin once the server listens, after the Dispatcher exists.
    runningJobs: (): number => dispatcher.jobCounts().running,
    slotCounts: () => resourceManager.slotCounts(),
    registeredTaskExecutors: () => resourceManager.taskExecutors().length,
  });
  const dispatcher: Dispatcher = new Dispatcher({
    metrics,
    ...options.limits,
    clusterId,
    jobmanagerAddress: () => address,
    resources: resourceManager,
    logger: options.logger,
    mainHost,
    bundleUriRoots: options.bundleUriRoots,
    onShutDown: (reason) => {
      if (options.onShutDown) options.onShutDown(reason);
      else
        void jobManager.shutdown().catch((error: unknown) => options.logger.error({ err: error }, 'shutdown failed'));
    },
  });
  const lease = options.leaseTimeMs
    ? new ClusterLease({
        leaseTimeMs: options.leaseTimeMs,
        busy: () => dispatcher.jobCounts().running > 0,
        onExpired: (reason) => {
          options.onLeaseExpired?.(reason);
          void dispatcher
            .shutDownCluster(reason)
            .catch((error: unknown) => options.logger.error({ err: error }, 'ending the cluster failed'));
        },
        logger: options.logger,
      })
    : undefined;
  let host: ServerHost;
  try {
    host = await startServerHost({
      listen: options.listen,
      logger: options.logger,
      security: options.security,
      maxMessageBytes: options.maxMessageBytes,
      maxStreamsPerCaller: options.maxStreamsPerCaller,
      services: [
        dispatcherService({
          clusterId,
          resourceManager,
          dispatcher,
          lease,
          blobServer: {
            uploadArtifact: uploadArtifactHandler(blobs),
            downloadArtifact: downloadArtifactHandler(blobs),
          },
          onTaskExecutorMetrics: (taskExecutorId, report) => metrics.taskExecutorReported(taskExecutorId, report),
        }),
      ],
    });
  } catch (error) {
    dispatcher.close();
    resourceManager.close();
    await mainHost.close();
    throw error;
  }
  address = host.address;
  lease?.start();
  options.logger.info({ address, clusterId, leaseTimeMs: lease?.leaseTimeMs }, 'job manager started');
  const jobManager: ServerHost = {
    address,
    async shutdown() {
      lease?.close();
      dispatcher.close();
      resourceManager.close();
      // A main() still running would keep the process alive: it stops with the job manager.
      await mainHost.close();
      await host.shutdown();
    },
  };
  return jobManager;
}
