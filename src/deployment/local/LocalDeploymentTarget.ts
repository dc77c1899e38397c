/**
 * The `local` deployment target: a session cluster as real child processes of this package on this
 * machine, one `flotilla jobmanager` and N `flotilla taskexecutor`, each in its own process group
 * with its output in files under the cluster's folder (`<clusters dir>/<cluster id>`), so that the
 * cluster outlives the control plane that started it. The processes run as the user the tenant's
 * clusters run as ({@link ClusterUsers}), in a working folder of their own (`work/` in the
 * cluster's folder, see clusterFolder.ts), with an environment of their own (clusterProcessEnv.ts)
 * and, when clusters speak TLS, a certificate and key of their own from the clusters' CA
 * ({@link ClusterCertificateAuthority}). The task executors start together with the job manager and
 * learn its address from the address file it writes once it listens (`work/jobmanager.address`), so
 * their start-up overlaps the job manager's instead of following it. What was started is in the
 * cluster's own record in its folder ({@link LocalClusterRecord}); the folder is the reference the
 * caller keeps, and attaching reads the record again.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError } from '../../common/errors.js';
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
import type { ClusterCertificateAuthority } from './ClusterCertificateAuthority.js';
import { ensureClustersRoot, handOverWorkFolder, makeClusterFolders } from './clusterFolder.js';
import { writeClusterTls } from './clusterTls.js';
import { clusterProcessEnv } from './clusterProcessEnv.js';
import type { ClusterUsers } from './clusterUsers.js';
import { whatClusterUsersCannotReach } from './othersAccess.js';
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
  /** The clusters speak TLS, each with a certificate and key of its own issued by this CA; plaintext when not given. */
  certificateAuthority?: ClusterCertificateAuthority;
  /** The user each tenant's clusters run as; this process's own user when not given. */
  users?: ClusterUsers;
  /**
   * Each job manager serves Prometheus metrics on a free loopback port and writes its address to
   * `work/jobmanager.metrics-address` in the cluster's folder ({@link JOB_MANAGER_METRICS_ADDRESS_FILE}); off when not given.
   */
  jobManagerMetrics?: boolean;
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

/** The file in a cluster's `work/` folder where its job manager writes the address of its metrics endpoint. */
export const JOB_MANAGER_METRICS_ADDRESS_FILE = 'jobmanager.metrics-address';

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
    // Said at start, and refused at each deployment until fixed: the control plane itself can serve without clusters.
    const problem = this.unreachableByClusterUsers();
    if (problem) options.logger.warn(`no cluster can be deployed until this is fixed: ${problem}`);
  }

  /** What keeps the clusters' users from starting a process here, saying what to change; undefined when nothing does. */
  private unreachableByClusterUsers(): string | undefined {
    const { users, clustersDir } = this.options;
    return users?.switchesUser
      ? whatClusterUsersCannotReach({ bin: this.bin, clustersDir, description: users.description })
      : undefined;
  }

  async deploy(
    request: ClusterDeploymentRequest,
    progress: DeploymentProgress,
    signal: AbortSignal,
  ): Promise<ClusterHandle> {
    signal.throwIfAborted();
    const { clusterId } = request;
    const identity = this.options.users?.identityOf(request.tenant ?? '');
    const unreachable = this.unreachableByClusterUsers();
    if (unreachable) throw new FailedPreconditionError(unreachable);
    ensureClustersRoot(this.options.clustersDir);
    const folders = makeClusterFolders(this.options.clustersDir, clusterId);
    const { folder, work } = folders;
    const record: LocalClusterRecord = { clusterId, jobmanagerAddress: '', members: [] };
    // The record exists before any process does, and the caller keeps where it is.
    writeLocalClusterRecord(folder, record);
    await progress.onRecorded(folder);
    signal.throwIfAborted();
    const ca = this.options.certificateAuthority;
    const tlsArgs = ca ? await writeClusterTls(ca, clusterId, work, identity) : [];
    handOverWorkFolder(folders, identity);
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
          join(work, name),
          ...tlsArgs,
          ...args,
        ],
        env: clusterProcessEnv({ work, clusterSecret: request.clusterSecret, extra: this.options.env }),
        cwd: work,
        identity,
      });
      started.push(child);
      // Recorded before anything waits on it, so that no process is ever unaccounted for.
      record.members.push(child.record);
      writeLocalClusterRecord(folder, record);
      return child;
    };
    // Written by this job manager once it listens; a file left by an earlier one would send the task executors astray.
    const addressFile = join(work, JOB_MANAGER_ADDRESS_FILE);
    const startAll = () => {
      rmSync(addressFile, { force: true });
      const jobManager = start({ role: 'jobmanager', index: 0 }, [
        '--heartbeat-interval',
        String(this.options.heartbeatIntervalMs ?? LOCAL_CLUSTER_HEARTBEATS.intervalMs),
        '--heartbeat-timeout',
        String(this.options.heartbeatTimeoutMs ?? LOCAL_CLUSTER_HEARTBEATS.timeoutMs),
        '--address-file',
        addressFile,
        ...(request.leaseTimeMs ? ['--lease-time', `${request.leaseTimeMs}ms`] : []),
        ...(this.options.jobManagerMetrics
          ? ['--metrics-listen', '127.0.0.1:0', '--metrics-address-file', join(work, JOB_MANAGER_METRICS_ADDRESS_FILE)]
          : []),
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
      return { jobManager, taskExecutors };
    };
    try {
      // Every member is started and recorded while nobody else may take the cluster over (see DeploymentProgress.startMembers).
      const { jobManager, taskExecutors } = await (progress.startMembers?.(startAll) ?? startAll());
      const address = await waitForListening(jobManager, this.options.listenTimeoutMs ?? 15_000, signal);
      record.jobmanagerAddress = address;
      writeLocalClusterRecord(folder, record);
      if (this.options.jobManagerMetrics) {
        // Written before the job manager says it listens.
        const metricsAddress = readAddressFile(join(work, JOB_MANAGER_METRICS_ADDRESS_FILE));
        this.options.logger.info({ clusterId, metricsAddress }, 'job manager serves metrics');
      }
      progress.onJobManagerListening(address);
      const admin = this.options.connect(address, request.clusterSecret);
      try {
        await waitForTaskExecutors(
          admin,
          jobManager,
          taskExecutors,
          this.options.registrationTimeoutMs ?? 30_000,
          signal,
          (registered) => progress.onTaskExecutorsRegistered?.(registered),
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
}

/** The resource id a task executor of a local cluster registers with: its member name, prefixed with the cluster's id. */
export function taskExecutorResourceId(clusterId: string, member: ClusterMember): string {
  return `${clusterId}-${memberName(member)}`;
}
