/**
 * A session cluster of local processes: one job manager and its task executors, as the cluster's
 * record names them. Tearing it down asks the job manager to shut the cluster down (its jobs are
 * cancelled and its task executors told to exit), then holds every process to the termination
 * schedule.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type {
  ClusterHandle,
  ClusterMember,
  ConnectJobManager,
  MemberStatus,
  ReadLogOptions,
} from '../DeploymentTarget.js';
import { removeWorkFolder } from './clusterFolder.js';
import type { LocalProcess } from './LocalProcess.js';
import {
  DEFAULT_TERMINATION_SCHEDULE,
  killProcesses,
  terminateProcesses,
  type TerminationSchedule,
} from './terminateProcesses.js';

/** What a local cluster needs. */
export interface LocalClusterOptions {
  clusterId: string;
  /** The cluster's folder: its record, each process's log and `.out` file, and a state folder per process. */
  folder: string;
  /** HOST:PORT of its job manager; empty when it never listened. */
  jobmanagerAddress: string;
  /** The job manager first, then the task executors. */
  processes: readonly LocalProcess[];
  connect: ConnectJobManager;
  /** The cluster's secret, presented to its job manager; none when not given. */
  clusterSecret?: string;
  logger: Logger;
  schedule?: TerminationSchedule;
}

/** How much of a log is read when the caller does not say. */
const DEFAULT_LOG_TAIL_BYTES = 64 * 1024;

/** A local cluster. */
export class LocalCluster implements ClusterHandle {
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: LocalClusterOptions) {}

  get clusterId(): string {
    return this.options.clusterId;
  }

  /** The cluster's folder, where its record is. */
  get reference(): string {
    return this.options.folder;
  }

  async members(): Promise<MemberStatus[]> {
    return this.options.processes.map((process) => process.status());
  }

  async readLog(member: ClusterMember, options: ReadLogOptions = {}): Promise<string> {
    return this.process(member).readLog(options.tailBytes ?? DEFAULT_LOG_TAIL_BYTES);
  }

  tearDown(reason: string): Promise<void> {
    return (this.stopping ??= this.stop(reason));
  }

  async kill(): Promise<void> {
    await killProcesses(this.options.processes);
  }

  private process(member: ClusterMember): LocalProcess {
    const found = this.options.processes.find(
      ({ record }) => record.role === member.role && record.index === member.index,
    );
    if (!found)
      throw new NotFoundError(`cluster ${this.clusterId} has no ${member.role} ${member.index} in its local record`);
    return found;
  }

  private async stop(reason: string): Promise<void> {
    const startedAt = Date.now();
    const { logger, processes, jobmanagerAddress } = this.options;
    const jobManager = processes.find(({ record }) => record.role === 'jobmanager');
    // Asked unless it is known to have ended (without a record of it, it may well run).
    if (jobmanagerAddress && (jobManager === undefined || jobManager.running())) {
      const admin = this.options.connect(jobmanagerAddress, this.options.clusterSecret);
      // Not awaited: the schedule below bounds the teardown whatever the job manager does.
      void admin
        .shutDownCluster(reason, { timeoutMs: 1500 })
        .catch((error: unknown) =>
          logger.debug(
            { err: error, clusterId: this.clusterId },
            'the job manager did not confirm the shutdown; its processes will be stopped',
          ),
        )
        .finally(() => admin.close());
    }
    await terminateProcesses(processes, this.options.schedule ?? DEFAULT_TERMINATION_SCHEDULE, startedAt);
    this.removeProcessState();
  }

  /**
   * Removes the cluster's own folder (its processes' state: unpacked bundles, blobs, scratch, its
   * TLS key), and the state folders of a cluster deployed before clusters had one; the logs and the
   * record stay for reading.
   */
  private removeProcessState(): void {
    // No folder: the deployment was cut off before it made one.
    if (this.options.folder) removeWorkFolder(this.options.folder);
    for (const { record } of this.options.processes)
      rmSync(join(this.options.folder, record.name), { recursive: true, force: true });
  }
}
