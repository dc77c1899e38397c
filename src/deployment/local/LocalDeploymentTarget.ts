/**
 * The `local` deployment target: a session cluster as real child processes of this package on this
 * machine, one `flotilla jobmanager` and N `flotilla taskexecutor`, each in its own process group
 * with its output in files under the cluster's folder (`<clusters dir>/<cluster id>`), so that the
 * cluster outlives the control plane that started it. The task executors start together with the
 * job manager and learn its address from the address file it writes once it listens
 * (`jobmanager.address` in the cluster's folder), so their start-up overlaps the job manager's
 * instead of following it. What was started is in the cluster's own record in its folder
 * ({@link LocalClusterRecord}); the folder is the reference the caller keeps, and attaching reads
 * the record again.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readAddressFile } from '../../common/addressFile.js';
import type { Logger } from '../../common/logger.js';
import { TASK_EXECUTOR_RESOURCE_DEFAULTS } from '../../taskexecutor/resourceDefaults.js';
import {
  memberName,
  type ClusterDeploymentRequest,
  type ClusterHandle,
  type ClusterMember,
  type ConnectJobManager,
  type DeployedCluster,
  type DeploymentProgress,
  type DeploymentTarget,
  type TaskExecutorDefaults,
} from '../DeploymentTarget.js';
import { CLUSTER_SECRET_ENV } from '../../rpc/security/ClientSecurity.js';
import { findFlotillaBin } from './flotillaBin.js';
import { LocalCluster } from './LocalCluster.js';
import { readLocalClusterRecord, writeLocalClusterRecord, type LocalClusterRecord } from './LocalClusterRecord.js';
import { LocalProcess } from './LocalProcess.js';
import { killProcesses, type TerminationSchedule } from './terminateProcesses.js';
import { waitForListening } from './waitForListening.js';
import { waitForTaskExecutors } from './waitForTaskExecutors.js';

/** Options of {@link LocalDeploymentTarget}. */
export interface LocalDeploymentOptions {
  /** The folder under which each cluster gets its own, named by the cluster's id (created if missing). */
  clustersDir: string;
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
    signal.throwIfAborted();
    const { clusterId } = request;
    const folder = join(this.options.clustersDir, clusterId);
    const record: LocalClusterRecord = { clusterId, jobmanagerAddress: '', members: [] };
    // The record exists before any process does, and the caller keeps where it is.
    writeLocalClusterRecord(folder, record);
    await progress.onRecorded(folder);
    signal.throwIfAborted();
    const started: LocalProcess[] = [];
    const start = (member: ClusterMember, args: string[]) => {
      const name = memberName(member);
      const child = LocalProcess.spawn({
        member,
        folder,
        // The same Node binary as the control plane, running the same build.
        command: process.execPath,
        args: [
          ...this.nodeArgs,
          this.bin,
          member.role,
          '--listen',
          '127.0.0.1:0',
          '--state-dir',
          join(folder, name),
          ...this.tlsArgs(),
          ...args,
        ],
        env: clusterProcessEnv({
          ...process.env,
          FLOTILLA_LOG_FORMAT: 'json',
          ...this.options.env,
          [CLUSTER_SECRET_ENV]: request.clusterSecret ?? '',
        }),
        cwd: folder,
      });
      started.push(child);
      // Recorded before anything waits on it, so that no process is ever unaccounted for.
      record.members.push(child.record);
      writeLocalClusterRecord(folder, record);
      return child;
    };
    try {
      // Written by this job manager once it listens; a file left by an earlier one would send the task executors astray.
      const addressFile = join(folder, JOB_MANAGER_ADDRESS_FILE);
      rmSync(addressFile, { force: true });
      const jobManager = start({ role: 'jobmanager', index: 0 }, [
        '--heartbeat-interval',
        String(this.options.heartbeatIntervalMs ?? LOCAL_CLUSTER_HEARTBEATS.intervalMs),
        '--heartbeat-timeout',
        String(this.options.heartbeatTimeoutMs ?? LOCAL_CLUSTER_HEARTBEATS.timeoutMs),
        '--address-file',
        addressFile,
      ]);
      const resources = request.taskExecutorResources;
      const sizing = resources ? ['--cpus', String(resources.cpus), '--memory', String(resources.memoryMb)] : [];
      const taskExecutors = Array.from({ length: request.taskExecutors }, (_, index) => {
        const member: ClusterMember = { role: 'taskexecutor', index };
        // The name the job manager lists it by once it registered (Flink's taskmanager.resource-id).
        const resourceId = taskExecutorResourceId(clusterId, member);
        const child = start(member, [
          '--jobmanager-address-file',
          addressFile,
          '--resource-id',
          resourceId,
          '--slots',
          String(request.slotsPerTaskExecutor),
          ...sizing,
        ]);
        return { process: child, resourceId };
      });
      const address = await waitForListening(jobManager, this.options.listenTimeoutMs ?? 15_000, signal);
      record.jobmanagerAddress = address;
      writeLocalClusterRecord(folder, record);
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
      return this.cluster(clusterId, folder, address, started, request.clusterSecret);
    } catch (error) {
      await killProcesses(started).catch((killError: unknown) =>
        this.options.logger.error({ err: killError, clusterId }, 'processes of a failed deployment survived SIGKILL'),
      );
      throw error;
    }
  }

  attach(cluster: DeployedCluster): ClusterHandle {
    const { clusterId, reference, clusterSecret } = cluster;
    // No reference: the deployment was cut off before it recorded anything, so nothing was started.
    let record = reference ? readLocalClusterRecord(reference) : undefined;
    if (record && record.clusterId !== clusterId) {
      this.options.logger.warn(
        { clusterId, reference, recorded: record.clusterId },
        'the local record at this reference is of another cluster; attaching to nothing',
      );
      record = undefined;
    }
    // A folder without a record (a cluster deployed before the target kept one) still has the
    // address its job manager wrote, so that a teardown can at least ask that job manager to stop.
    const jobmanagerAddress =
      record?.jobmanagerAddress ??
      (reference ? (readAddressFile(join(reference, JOB_MANAGER_ADDRESS_FILE)) ?? '') : '');
    return this.cluster(
      clusterId,
      reference,
      jobmanagerAddress,
      (record?.members ?? []).map((member) => LocalProcess.adopt(member, reference)),
      clusterSecret,
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

/** The resource id a task executor of a local cluster registers with: its member name, prefixed with the cluster's id. */
export function taskExecutorResourceId(clusterId: string, member: ClusterMember): string {
  return `${clusterId}-${memberName(member)}`;
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
