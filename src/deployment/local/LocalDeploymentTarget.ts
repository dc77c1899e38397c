/**
 * The `local` deployment target: a session cluster as real child processes of this package on this
 * machine, one `flotilla jobmanager` and N `flotilla taskexecutor`, each in its own process group
 * with its output in files under the cluster's folder, so that the cluster outlives the control
 * plane that started it. The task executors start together with the job manager and learn its
 * address from the address file it writes once it listens (`jobmanager.address` in the cluster's
 * folder), so their start-up overlaps the job manager's instead of following it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { TASK_EXECUTOR_RESOURCE_DEFAULTS } from '../../taskexecutor/resourceDefaults.js';
import type {
  ClusterDeploymentRequest,
  ClusterHandle,
  ConnectJobManager,
  DeployedClusterRecord,
  DeploymentProgress,
  DeploymentTarget,
  TaskExecutorDefaults,
} from '../DeploymentTarget.js';
import { CLUSTER_SECRET_ENV } from '../../rpc/security/ClientSecurity.js';
import { findFlotillaBin } from './flotillaBin.js';
import { LocalCluster } from './LocalCluster.js';
import { LocalProcess, processName } from './LocalProcess.js';
import { killProcesses, type TerminationSchedule } from './terminateProcesses.js';
import { waitForListening } from './waitForListening.js';
import { waitForTaskExecutors } from './waitForTaskExecutors.js';

/** Options of {@link LocalDeploymentTarget}. */
export interface LocalDeploymentOptions {
  /** Reaches a job manager (overview, shutdown). */
  connect: ConnectJobManager;
  logger: Logger;
  /** `bin/flotilla.js` of this package unless given. */
  flotillaBin?: string;
  /** How long the job manager may take to listen, in milliseconds (default 15 s). */
  listenTimeoutMs?: number;
  /** How long the task executors may take to register, in milliseconds (default 30 s). */
  registrationTimeoutMs?: number;
  /** The job manager's heartbeat settings, in milliseconds (default {@link LOCAL_CLUSTER_HEARTBEATS}). */
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** When stragglers are terminated and killed at teardown. */
  schedule?: TerminationSchedule;
  /** Environment variables added to the processes' environment. */
  env?: NodeJS.ProcessEnv;
  /** Node options of every process, before the script (such as `--cpu-prof`); {@link NODE_OPTS_ENV} of this process unless given. */
  nodeArgs?: readonly string[];
  /** TLS for every process: the files of its certificate chain, key and the CA it trusts (the control plane's own); plaintext when not given. */
  tls?: LocalClusterTls;
}

/** The TLS files handed to a local cluster's processes (absolute paths). */
export interface LocalClusterTls {
  certFile: string;
  keyFile: string;
  /** The CA the processes trust when they call each other; the system's roots when not given. */
  caFile?: string;
}

/**
 * The heartbeats of clusters deployed here: a lost task executor is noticed within seconds, and a
 * task executor that is only busy on a loaded machine is not declared lost.
 */
export const LOCAL_CLUSTER_HEARTBEATS = { intervalMs: 1000, timeoutMs: 6000 } as const;

/**
 * Node options for every process of a local cluster, split at spaces, as Flink's FLINK_ENV_JAVA_OPTS
 * (`env.java.opts.all`): unlike NODE_OPTIONS it takes any flag, such as `--cpu-prof --cpu-prof-dir DIR`.
 */
export const NODE_OPTS_ENV = 'FLOTILLA_ENV_NODE_OPTS';

/** The file in a cluster's folder where its job manager writes its address for the task executors. */
export const JOB_MANAGER_ADDRESS_FILE = 'jobmanager.address';

/** Deploys clusters as local processes. */
export class LocalDeploymentTarget implements DeploymentTarget {
  readonly name = 'local';
  /** What `flotilla taskexecutor` offers when given no --cpus / --memory. */
  readonly taskExecutorDefaults: TaskExecutorDefaults = TASK_EXECUTOR_RESOURCE_DEFAULTS;
  private readonly bin: string;
  private readonly nodeArgs: readonly string[];

  constructor(private readonly options: LocalDeploymentOptions) {
    this.bin = options.flotillaBin ?? findFlotillaBin();
    this.nodeArgs = options.nodeArgs ?? (process.env[NODE_OPTS_ENV] ?? '').split(' ').filter((arg) => arg !== '');
  }

  async deploy(
    request: ClusterDeploymentRequest,
    progress: DeploymentProgress,
    signal: AbortSignal,
  ): Promise<ClusterHandle> {
    const folder = request.folder;
    mkdirSync(folder, { recursive: true });
    const started: LocalProcess[] = [];
    const start = (role: 'jobmanager' | 'taskexecutor', index: number, args: string[]) => {
      const name = processName({ role, index });
      const child = LocalProcess.spawn({
        role,
        index,
        // The same Node binary as the control plane, running the same build.
        command: process.execPath,
        args: [
          ...this.nodeArgs,
          this.bin,
          role,
          '--listen',
          '127.0.0.1:0',
          '--state-dir',
          join(folder, name),
          ...this.tlsArgs(),
          ...args,
        ],
        stdoutFile: join(folder, `${name}.out`),
        logFile: join(folder, `${name}.log`),
        env: clusterProcessEnv({
          ...process.env,
          FLOTILLA_LOG_FORMAT: 'json',
          ...this.options.env,
          [CLUSTER_SECRET_ENV]: request.clusterSecret ?? '',
        }),
        cwd: folder,
      });
      started.push(child);
      progress.onProcessStarted(child.info);
      return child;
    };
    try {
      signal.throwIfAborted();
      // Written by this job manager once it listens; a file left by an earlier one would send the task executors astray.
      const addressFile = join(folder, JOB_MANAGER_ADDRESS_FILE);
      rmSync(addressFile, { force: true });
      const jobManager = start('jobmanager', 0, [
        '--heartbeat-interval',
        String(this.options.heartbeatIntervalMs ?? LOCAL_CLUSTER_HEARTBEATS.intervalMs),
        '--heartbeat-timeout',
        String(this.options.heartbeatTimeoutMs ?? LOCAL_CLUSTER_HEARTBEATS.timeoutMs),
        '--address-file',
        addressFile,
      ]);
      const resources = request.taskExecutorResources;
      const sizing = resources ? ['--cpus', String(resources.cpus), '--memory', String(resources.memoryMb)] : [];
      const taskExecutors = Array.from({ length: request.taskExecutors }, (_, index) =>
        start('taskexecutor', index, [
          '--jobmanager-address-file',
          addressFile,
          '--slots',
          String(request.slotsPerTaskExecutor),
          ...sizing,
        ]),
      );
      const address = await waitForListening(jobManager, this.options.listenTimeoutMs ?? 15_000, signal);
      progress.onJobManagerListening(address);
      const admin = this.options.connect(address, request.clusterSecret);
      try {
        await waitForTaskExecutors(
          admin,
          jobManager,
          taskExecutors,
          this.options.registrationTimeoutMs ?? 30_000,
          signal,
        );
      } finally {
        admin.close();
      }
      return this.cluster(request.clusterId, folder, address, started, request.clusterSecret);
    } catch (error) {
      await killProcesses(started).catch((killError: unknown) =>
        this.options.logger.error(
          { err: killError, clusterId: request.clusterId },
          'processes of a failed deployment survived SIGKILL',
        ),
      );
      throw error;
    }
  }

  attach(record: DeployedClusterRecord): ClusterHandle {
    return this.cluster(
      record.clusterId,
      record.folder,
      record.jobmanagerAddress,
      record.processes.map((info) => LocalProcess.adopt(info)),
      record.clusterSecret,
    );
  }

  private cluster(
    clusterId: string,
    folder: string,
    jobmanagerAddress: string,
    processes: LocalProcess[],
    clusterSecret: string | undefined,
  ): LocalCluster {
    const { connect, logger, schedule } = this.options;
    return new LocalCluster({
      clusterId,
      folder,
      jobmanagerAddress,
      processes,
      connect,
      clusterSecret,
      logger,
      schedule,
    });
  }

  /** The TLS flags of every process: the control plane's certificate, key and CA, so the cluster speaks TLS when it does. */
  private tlsArgs(): string[] {
    const tls = this.options.tls;
    if (!tls) return [];
    return ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, ...(tls.caFile ? ['--tls-ca', tls.caFile] : [])];
  }
}

/**
 * The environment of a cluster process: the control plane's, without the credentials of a client
 * that may be set there (a CLI user's token or CA), which the application's code running in the
 * cluster has no business reading.
 */
function clusterProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FLOTILLA_TOKEN: _token, FLOTILLA_TLS_CA: _ca, ...rest } = env;
  return rest;
}
