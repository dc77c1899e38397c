/** `flotilla jobmanager`: runs the job manager of a session cluster. */
import { parseHostPort } from '../../common/address.js';
import { writeAddressFile } from '../../common/addressFile.js';
import { createLogger } from '../../common/logger.js';
import { JOB_MANAGER_DEFAULTS, startJobManager } from '../../dispatcher/service/jobManager.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { positiveInteger } from '../options/optionValues.js';
import { parseDuration } from '../options/duration.js';
import { scratchDir } from '../../common/scratchDir.js';
import { LOG_LEVEL_OPTION, listenOption, stateDirOption } from '../options/commonOptions.js';
import { BUNDLE_URI_ROOT_OPTION, bundleUriRootsOf } from '../process/bundleUriRootOption.js';
import { METRICS_OPTIONS, processMetricsOf } from '../process/metricsOptions.js';
import { keepFilesPrivate } from '../process/keepFilesPrivate.js';
import { serveUntilSignalled } from '../process/serveUntilSignalled.js';
import {
  CLUSTER_SECRET_FILE_OPTION,
  clusterMemberSettingsOf,
  TLS_SERVER_NAME_OPTION,
  serverSecurityOptions,
} from '../process/serverSecurityOptions.js';

export const jobmanagerCommand: CommandSpec = {
  name: 'jobmanager',
  summary: 'Run the job manager of a session cluster: serves flotilla.v1.DispatcherService.',
  description:
    'Task executors register and heartbeat with it and offer their slots. It accepts jobs (SubmitJob), runs each with a job master that deploys its tasks into slots and restarts it on failures, streams job events (WatchJobEvents) and results (RequestJobResult), and serves bundles to task executors (UploadArtifact, DownloadArtifact).',
  positionals: [],
  options: [
    listenOption('127.0.0.1:0'),
    stateDirOption("the blob server's bundles and job scratch files"),
    {
      name: 'heartbeat-interval',
      type: 'number',
      valueName: 'MS',
      description: 'How often task executors send heartbeats, in milliseconds.',
      default: JOB_MANAGER_DEFAULTS.heartbeatIntervalMs,
    },
    {
      name: 'heartbeat-timeout',
      type: 'number',
      valueName: 'MS',
      description:
        'How long without a heartbeat before a task executor is declared lost and its tasks fail, in milliseconds.',
      default: JOB_MANAGER_DEFAULTS.heartbeatTimeoutMs,
    },
    {
      name: 'slot-request-timeout',
      type: 'number',
      valueName: 'MS',
      description:
        'How long a slot request waits for a fitting free slot before it fails with RESOURCE_EXHAUSTED, in milliseconds.',
      default: JOB_MANAGER_DEFAULTS.slotRequestTimeoutMs,
    },
    {
      name: 'address-file',
      type: 'string',
      valueName: 'FILE',
      description:
        'Once listening, write HOST:PORT to FILE (atomically), for task executors started with --jobmanager-address-file FILE before this job manager listens.',
    },
    {
      name: 'lease-time',
      type: 'string',
      valueName: 'DURATION',
      description:
        'End the cluster (as ShutDownCluster does: task executors first, then this job manager, exit code 0) once no job has run and no control plane has renewed its lease (RenewClusterLease) for this long (30s, 5m, ...). A control plane gives each cluster it deploys for an application its --cluster-lease-time and renews it while it looks after the cluster. 0, the default, is no lease: the cluster runs until it is stopped.',
      default: '0',
    },
    {
      name: 'kubernetes-owner-pod',
      type: 'string',
      valueName: 'NAME',
      description:
        "On Kubernetes: the pod every object of this cluster names as its owner (this job manager's own). When the --lease-time expires, the job manager deletes that pod through the API server with its pod's service account (in-cluster config) once its task executors stopped, so garbage collection removes the whole cluster; the service account needs get and delete on pods (docs/kubernetes.md). The Kubernetes target sets it on clusters it deploys for an application.",
    },
    BUNDLE_URI_ROOT_OPTION,
    CLUSTER_SECRET_FILE_OPTION,
    TLS_SERVER_NAME_OPTION,
    ...serverSecurityOptions(0),
    ...METRICS_OPTIONS,
    LOG_LEVEL_OPTION,
  ],
};

export async function runJobmanager(args: ParsedCommandLine): Promise<number> {
  keepFilesPrivate();
  const logger = createLogger({ name: 'jobmanager', level: args.options['log-level'] as string });
  const listen = parseHostPort(args.options.listen as string, '--listen');
  const heartbeatIntervalMs = positiveInteger(args, 'heartbeat-interval');
  const heartbeatTimeoutMs = positiveInteger(args, 'heartbeat-timeout');
  if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
    throw new UsageError(
      `--heartbeat-timeout (${heartbeatTimeoutMs}) must be longer than --heartbeat-interval (${heartbeatIntervalMs})`,
    );
  }
  const bundleUriRoots = bundleUriRootsOf(args, 'job manager');
  const settings = clusterMemberSettingsOf(args, listen, 'job manager');
  const addressFile = args.options['address-file'] as string | undefined;
  const leaseTimeMs = parseDuration(args.options['lease-time'] as string, '--lease-time');
  const ownerPod = args.options['kubernetes-owner-pod'] as string | undefined;
  if (ownerPod !== undefined && !leaseTimeMs)
    throw new UsageError('--kubernetes-owner-pod is deleted when the lease expires: give --lease-time too');
  let leaseExpired = false;
  const { metrics, serveBeside } = processMetricsOf(args, logger);
  return serveUntilSignalled(async (stop) => {
    const host = await startJobManager({
      listen,
      stateDir: (args.options['state-dir'] as string | undefined) ?? scratchDir('jobmanager'),
      heartbeatIntervalMs,
      heartbeatTimeoutMs,
      slotRequestTimeoutMs: positiveInteger(args, 'slot-request-timeout'),
      leaseTimeMs,
      onLeaseExpired: () => (leaseExpired = true),
      onShutDown: (reason) => stop(reason, 0),
      logger,
      bundleUriRoots,
      ...settings,
      metrics,
    });
    if (addressFile) writeAddressFile(addressFile, host.address);
    return serveBeside(
      ownerPod === undefined
        ? host
        : {
            address: host.address,
            async shutdown() {
              await host.shutdown();
              // Ended by its lease, the cluster removes its own objects: no control plane is left to.
              if (!leaseExpired) return;
              const { deleteOwnerPod } = await import('../../deployment/kubernetes/deleteOwnerPod.js');
              await deleteOwnerPod(ownerPod, logger);
            },
          },
    );
  }, logger);
}
