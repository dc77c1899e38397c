/**
 * A session cluster of local processes: one job manager and its task executors. Tearing it down
 * asks the job manager to shut the cluster down (its jobs are cancelled and its task executors told
 * to exit), then holds every process to the termination schedule.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { ClusterHandle, ClusterProcess, ConnectJobManager } from '../DeploymentTarget.js';
import { processName, type LocalProcess } from './LocalProcess.js';
import {
  DEFAULT_TERMINATION_SCHEDULE,
  killProcesses,
  terminateProcesses,
  type TerminationSchedule,
} from './terminateProcesses.js';

/** What a local cluster needs. */
export interface LocalClusterOptions {
  clusterId: string;
  /** The cluster's folder: each process's log and `.out` file, and a state folder per process. */
  folder: string;
  jobmanagerAddress: string;
  /** The job manager first, then the task executors. */
  processes: readonly LocalProcess[];
  connect: ConnectJobManager;
  /** The cluster's secret, presented to its job manager; none when not given. */
  clusterSecret?: string;
  logger: Logger;
  schedule?: TerminationSchedule;
}

/** A running local cluster. */
export class LocalCluster implements ClusterHandle {
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: LocalClusterOptions) {}

  get clusterId(): string {
    return this.options.clusterId;
  }

  get jobmanagerAddress(): string {
    return this.options.jobmanagerAddress;
  }

  get processes(): readonly ClusterProcess[] {
    return this.options.processes.map((process) => process.info);
  }

  jobManagerExit(): string | undefined {
    const jobManager = this.options.processes.find((process) => process.info.role === 'jobmanager');
    return jobManager?.exitDescription();
  }

  tearDown(reason: string): Promise<void> {
    return (this.stopping ??= this.stop(reason));
  }

  async kill(): Promise<void> {
    await killProcesses(this.options.processes);
  }

  private async stop(reason: string): Promise<void> {
    const startedAt = Date.now();
    const { logger, processes } = this.options;
    if (processes.some((process) => process.running()) && this.jobManagerExit() === undefined) {
      const admin = this.options.connect(this.options.jobmanagerAddress, this.options.clusterSecret);
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

  /** Removes the processes' state folders (unpacked bundles, blobs, scratch); the logs stay for reading. */
  private removeProcessState(): void {
    for (const { info } of this.options.processes)
      rmSync(join(this.options.folder, processName(info)), { recursive: true, force: true });
  }
}
