/** `flotilla controlplane`: runs the control plane. */
import { parseHostPort } from '../../common/address.js';
import { createLogger } from '../../common/logger.js';
import {
  CONTROL_PLANE_DEFAULTS,
  startControlPlane,
  type ControlPlaneOptions,
} from '../../controlplane/controlPlane.js';
import { isPostgresUrl, redactedPostgresUrl } from '../../controlplane/store/postgres/postgresUrl.js';
import { DEFAULT_FOLLOWER_LEASE_MS } from '../../controlplane/clusters/ReplicaLeases.js';
import { RETENTION_DEFAULTS, type RetentionPolicy } from '../../controlplane/retention/RetentionPolicy.js';
import { compileSimulationScript, SIMULATION_DEFAULTS } from '../../deployment/simulated/SimulationScript.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { BUNDLE_CACHE_DEFAULTS } from '../../bundle/BundleCacheOptions.js';
import { nonNegativeInteger, positiveInteger } from '../options/optionValues.js';
import { DEFAULT_STATE_DIR, LOG_LEVEL_OPTION, listenOption, stateDirOption } from '../options/commonOptions.js';
import { formatDuration, parseDuration } from '../options/duration.js';
import { METRICS_OPTIONS, processMetricsOf } from '../process/metricsOptions.js';
import { processWebOf, WEB_OPTIONS } from '../process/webOptions.js';
import { KUBERNETES_OPTIONS, kubernetesOptionsOf } from '../process/kubernetesOptions.js';
import { keepFilesPrivate } from '../process/keepFilesPrivate.js';
import { serveUntilSignalled } from '../process/serveUntilSignalled.js';
import { authOptions, AUTH_OPTIONS } from '../process/authOptions.js';
import { EXTERNAL_JOBMANAGER_OPTIONS, externalJobManagersOf } from '../process/externalJobManagerOptions.js';
import { CLUSTER_USER_OPTIONS, clusterUserSettingsOf } from '../process/clusterUserOptions.js';
import {
  internalClientSecurityOf,
  serverLimitsOf,
  serverSecurityOf,
  serverSecurityOptions,
  serverTlsOf,
} from '../process/serverSecurityOptions.js';

/** The default of the control plane's --max-streams-per-caller. */
const CONTROL_PLANE_DEFAULT_MAX_STREAMS = 1000;

export const controlplaneCommand: CommandSpec = {
  name: 'controlplane',
  summary: 'Run the control plane: stores bundles and serves flotilla.v1.ClusterClientService.',
  description:
    'State (a SQLite database and the artifact store) lives under --state-dir and survives restarts; with --store postgresql://… the database is PostgreSQL instead (docs/postgresql.md), and bundles stay files in --artifact-dir. Finished applications are compacted after --retention-time or past --retention-count, whichever comes first; a compacted application still answers GetApplication, and a watch or log read from before what was kept answers OUT_OF_RANGE naming the oldest event or offset still available.',
  positionals: [],
  options: [
    listenOption(CONTROL_PLANE_DEFAULTS.listen),
    stateDirOption(
      "the database (SQLite, unless --store names another), the stored bundles (unless --artifact-dir is given) and the clusters' CA",
      DEFAULT_STATE_DIR,
      'FLOTILLA_STATE_DIR',
    ),
    {
      name: 'store',
      type: 'string',
      valueName: 'URL',
      description:
        "The database of the control plane's state: postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE (the database must exist; its tables are made and migrated at start, and a schema newer than this Flotilla is refused). Without it, SQLite in --state-dir. Prefer the environment variable when the URL holds a password: a flag shows in the process list.",
      env: 'FLOTILLA_STORE',
    },
    {
      name: 'follower-lease-seconds',
      type: 'number',
      valueName: 'SECONDS',
      description:
        "With --store postgresql://…, several control planes (replicas) may share the database: any of them answers any call, and each cluster is followed (its job events relayed, torn down, deployed) by one replica holding a lease on it in the database, renewed every third of this. When a replica dies, the others take its clusters over within this plus a third of it (default 6 s: within 8 s), from each cluster's last stored job event; a replica paused or cut off past its lease has its writes refused by the lease's fencing token and stops following (docs/postgresql.md). Ignored with SQLite, whose one process follows every cluster.",
      default: DEFAULT_FOLLOWER_LEASE_MS / 1000,
    },
    {
      name: 'artifact-dir',
      type: 'string',
      valueName: 'DIR',
      description:
        'Folder of the stored bundles, content-addressed by sha256 (default: artifacts/ in --state-dir). Control planes on one PostgreSQL database must share it.',
      env: 'FLOTILLA_ARTIFACT_DIR',
    },
    {
      name: 'max-artifact-bytes',
      type: 'number',
      valueName: 'BYTES',
      description: 'Largest bundle the control plane accepts; larger uploads are refused with RESOURCE_EXHAUSTED.',
      default: CONTROL_PLANE_DEFAULTS.maxArtifactBytes,
    },
    {
      name: 'max-bundle-entries',
      type: 'number',
      valueName: 'N',
      description:
        'Most files, folders and links a bundle may hold; an upload with more is refused with INVALID_ARGUMENT.',
      default: BUNDLE_CACHE_DEFAULTS.maxEntries,
    },
    {
      name: 'max-bundle-unpacked-bytes',
      type: 'number',
      valueName: 'BYTES',
      description:
        'Most bytes a bundle may hold once unpacked, checked while the upload is read, before it is all read: the upload is refused with INVALID_ARGUMENT naming this setting at the first tar header whose size takes the total past BYTES, or once the unpacked tar stream passes BYTES plus 1 KiB per entry (headers), so a small upload that would unpack to much more costs no more than reading BYTES.',
      default: BUNDLE_CACHE_DEFAULTS.maxUnpackedBytes,
    },
    {
      name: 'retention-time',
      type: 'string',
      valueName: 'DURATION',
      description:
        'Finished applications are kept whole this long (7d, 12h, 30m; 0 for no age limit), then compacted: their record, final status event and the end of their driver log stay, other events and output go.',
      default: formatDuration(RETENTION_DEFAULTS.maxAgeMs),
    },
    {
      name: 'retention-count',
      type: 'number',
      valueName: 'N',
      description:
        'The N most recently finished applications are kept whole; older ones are compacted (0 for no count limit).',
      default: RETENTION_DEFAULTS.maxCount,
    },
    {
      name: 'retention-log-tail',
      type: 'number',
      valueName: 'BYTES',
      description:
        "How much of the end of a compacted application's driver log is kept (whole pieces of output, at most this many bytes).",
      default: RETENTION_DEFAULTS.logTailBytes,
    },
    {
      name: 'retention-interval',
      type: 'string',
      valueName: 'DURATION',
      description:
        'How often finished applications are checked against --retention-time and --retention-count (also at start).',
      default: formatDuration(RETENTION_DEFAULTS.intervalMs),
    },
    {
      name: 'client-heartbeat-timeout',
      type: 'string',
      valueName: 'DURATION',
      description:
        'How long the client running a session or per-job main() (flotilla run -m / --target per-job) may go without a heartbeat before it counts as lost: its jobs are cancelled and the application ends FAILED (ClientLostError). The CLI beats every quarter of this.',
      default: formatDuration(CONTROL_PLANE_DEFAULTS.clientHeartbeatTimeoutMs),
    },
    {
      name: 'driver-replay-max-result-bytes',
      type: 'number',
      valueName: 'BYTES',
      description:
        "The most bytes of one job's result and collected records the control plane keeps for replay (flotilla run -D --driver-attempts N): a later driver attempt answers a job that FINISHED from this record instead of running it again, even when the job manager that ran it is gone; a job whose result is larger is run again by the next attempt. Every kept result of an application travels with its next driver job, within the job manager's message size.",
      default: CONTROL_PLANE_DEFAULTS.driverReplayMaxResultBytes,
    },
    {
      name: 'cluster-lease-time',
      type: 'string',
      valueName: 'DURATION',
      description:
        "Each cluster deployed for an application (driver, application and per-job modes) gets a lease of this long (its job manager's --lease-time), which this control plane renews every third of it while it looks after the cluster, and again after a restart. A cluster that has gone this long with no job running and no renewal ends itself, so a cluster whose control plane is gone for good (stopped before it submitted anything, or after its application ended) leaves no process behind; a running job holds the lease. Shared clusters (flotilla cluster start) get none and run until flotilla cluster stop. 0: no lease.",
      default: formatDuration(CONTROL_PLANE_DEFAULTS.clusterLeaseTimeMs),
    },
    {
      name: 'deployment-target',
      type: 'string',
      valueName: 'TARGET',
      description:
        'Where clusters are deployed: "local" runs each as a job manager and task executor processes on this machine; "kubernetes" runs each as pods (a job manager pod with a Service and Secret it owns, task executor pods) through the API server of --kubernetes-config, with the --kubernetes-* settings; "simulated" is for benchmarks and demos without processes: clusters exist only in the control plane\'s memory, deploy at once, run no code, and play a scripted driver-mode application (its driver job, --simulated-jobs jobs and the application\'s end) through the real control plane; they end with the control plane process.',
      default: 'local',
    },
    {
      name: 'simulated-jobs',
      type: 'number',
      valueName: 'N',
      description:
        'With --deployment-target simulated: how many jobs each simulated driver submits, one after the other (each adds 3 + 5 x --simulated-tasks events).',
      default: SIMULATION_DEFAULTS.jobsPerApplication,
    },
    {
      name: 'simulated-tasks',
      type: 'number',
      valueName: 'N',
      description: 'With --deployment-target simulated: how many tasks each simulated job has.',
      default: SIMULATION_DEFAULTS.tasksPerJob,
    },
    {
      name: 'simulated-event-interval',
      type: 'number',
      valueName: 'MS',
      description:
        'With --deployment-target simulated: the pause between two events of a simulated cluster, in milliseconds (0: as fast as possible).',
      default: SIMULATION_DEFAULTS.eventIntervalMs,
    },
    ...KUBERNETES_OPTIONS,
    ...AUTH_OPTIONS,
    ...EXTERNAL_JOBMANAGER_OPTIONS,
    ...CLUSTER_USER_OPTIONS,
    ...serverSecurityOptions(CONTROL_PLANE_DEFAULT_MAX_STREAMS),
    ...WEB_OPTIONS,
    ...METRICS_OPTIONS,
    {
      name: 'cluster-metrics',
      type: 'boolean',
      description:
        'The job manager of each local cluster deployed from now on serves Prometheus metrics on a free loopback port (its --metrics-listen 127.0.0.1:0), whose address it writes to work/jobmanager.metrics-address in the cluster\'s folder and the control plane logs ("job manager serves metrics").',
      default: false,
    },
    LOG_LEVEL_OPTION,
  ],
};

export async function runControlplane(args: ParsedCommandLine): Promise<number> {
  keepFilesPrivate();
  const logger = createLogger({ name: 'controlplane', level: args.options['log-level'] as string });
  const listen = parseHostPort(args.options.listen as string, '--listen');
  const retention = retentionOptions(args);
  const deployment = deploymentOptions(args);
  const tls = serverTlsOf(args);
  const { tenants, tenantNames, authentication } = authOptions(args);
  const externalJobManagers = externalJobManagersOf(args, tenantNames, (message) => logger.warn(message));
  const security = serverSecurityOf(args, listen, tls, authentication, '--tls-cert, --tls-key and --auth-config');
  const clusterTls = internalClientSecurityOf(args, tls).tls;
  const limits = serverLimitsOf(args);
  const { metrics, serveBeside } = processMetricsOf(args, logger);
  const web = processWebOf(args, security, limits.maxMessageBytes, logger);
  return serveUntilSignalled(
    async () =>
      serveBeside(
        await web.serveWith((internalSocket) =>
          startControlPlane({
            listen,
            stateDir: args.options['state-dir'] as string,
            ...storeOptions(args),
            maxArtifactBytes: args.options['max-artifact-bytes'] as number,
            bundleLimits: {
              maxEntries: positiveInteger(args, 'max-bundle-entries'),
              maxUnpackedBytes: positiveInteger(args, 'max-bundle-unpacked-bytes'),
            },
            logger,
            retention,
            clientHeartbeatTimeoutMs: positiveDuration(args, 'client-heartbeat-timeout'),
            driverReplayMaxResultBytes: positiveInteger(args, 'driver-replay-max-result-bytes'),
            clusterLeaseTimeMs: parseDuration(args.options['cluster-lease-time'] as string, '--cluster-lease-time'),
            ...deployment,
            security,
            tenants,
            clusterTls,
            ...clusterUserSettingsOf(args, tenants),
            externalJobManagers,
            ...limits,
            internalSocket,
            metrics,
            clusterMetrics: args.options['cluster-metrics'] === true,
          }),
        ),
      ),
    logger,
  );
}

/** Where the state's database and the bundles are, from the command line. */
function storeOptions(args: ParsedCommandLine): Pick<ControlPlaneOptions, 'store' | 'artifactDir' | 'followerLeaseMs'> {
  // An empty FLOTILLA_STORE is no store: SQLite, as without it.
  const store = (args.options.store as string | undefined) || undefined;
  if (store !== undefined && !isPostgresUrl(store))
    throw new UsageError(
      `--store must be a postgresql://USER@HOST:PORT/DATABASE URL (leave it out for SQLite in --state-dir), got "${redactedPostgresUrl(store)}"`,
    );
  const leaseSeconds = args.options['follower-lease-seconds'] as number;
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 0.5)
    throw new UsageError(`--follower-lease-seconds must be a number of at least 0.5, got ${leaseSeconds}`);
  return {
    store,
    artifactDir: args.options['artifact-dir'] as string | undefined,
    followerLeaseMs: Math.round(leaseSeconds * 1000),
  };
}

/** A duration option that must be longer than 0, in milliseconds. */
function positiveDuration(args: ParsedCommandLine, name: string): number {
  const ms = parseDuration(args.options[name] as string, `--${name}`);
  if (ms < 1) throw new UsageError(`--${name} must be longer than 0`);
  return ms;
}

/** The retention settings from the command line. */
function retentionOptions(args: ParsedCommandLine): RetentionPolicy {
  const count = nonNegativeInteger(args, 'retention-count');
  const tail = nonNegativeInteger(args, 'retention-log-tail');
  const intervalMs = parseDuration(args.options['retention-interval'] as string, '--retention-interval');
  if (intervalMs < 1) throw new UsageError('--retention-interval must be longer than 0');
  return {
    maxAgeMs: parseDuration(args.options['retention-time'] as string, '--retention-time'),
    maxCount: count,
    logTailBytes: tail,
    intervalMs,
  };
}

/** The deployment target from the command line, with what simulated clusters play. */
function deploymentOptions(
  args: ParsedCommandLine,
): Pick<ControlPlaneOptions, 'deploymentTarget' | 'simulation' | 'kubernetes'> {
  const target = args.options['deployment-target'] as string;
  if (target === 'kubernetes') return { deploymentTarget: target, kubernetes: kubernetesOptionsOf(args) };
  if (target !== 'local' && target !== 'simulated')
    throw new UsageError(`--deployment-target must be "local", "kubernetes" or "simulated", got "${target}"`);
  const simulation = {
    jobsPerApplication: args.options['simulated-jobs'] as number,
    tasksPerJob: args.options['simulated-tasks'] as number,
    eventIntervalMs: args.options['simulated-event-interval'] as number,
  };
  try {
    compileSimulationScript(simulation);
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message} (--simulated-jobs, --simulated-tasks, --simulated-event-interval)`,
    );
  }
  return { deploymentTarget: target, simulation };
}
