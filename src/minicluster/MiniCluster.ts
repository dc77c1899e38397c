/**
 * The whole runtime in one process (Flink's MiniCluster): a job manager and task executors started
 * in-process on loopback ports, with the same classes, RPCs and worker threads as a real cluster,
 * so a pipeline that passes here runs the same way on a cluster of processes. Tests and local
 * experiments use it; nothing about it is simulated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunctionCapturer } from '../api/functions/bundleFunctionCapturer.js';
import { ExecutionEnvironment } from '../api/ExecutionEnvironment.js';
import type { ExecutionEnvironmentOptions } from '../api/ExecutionEnvironmentOptions.js';
import { BundleUriRoots } from '../bundle/BundleUriRoots.js';
import { parseHostPort } from '../common/address.js';
import { createLogger, type Logger } from '../common/logger.js';
import { JOB_MANAGER_DEFAULTS, startJobManager } from '../dispatcher/service/jobManager.js';
import { DispatcherJobSubmitter } from '../driver/service/DispatcherJobSubmitter.js';
import type { ServerHost } from '../rpc/serverHost.js';
import { startTaskExecutor, type TaskExecutor } from '../taskexecutor/service/taskExecutor.js';

/** Options of {@link MiniCluster.start}. */
export interface MiniClusterOptions {
  /** How many task executors; 1 by default. */
  taskExecutors?: number;
  /** Slots per task executor; 4 by default. */
  slotsPerTaskExecutor?: number;
  /** A folder for the cluster's files; a temporary one, removed on close, by default. */
  stateDir?: string;
  /** The logger; silent by default. */
  logger?: Logger;
}

/** A running in-process cluster. */
export class MiniCluster {
  private readonly submitters: DispatcherJobSubmitter[] = [];

  private constructor(
    /** The job manager's address, for clients. */
    readonly jobManagerAddress: string,
    private readonly jobManager: ServerHost,
    /** The task executors. */
    readonly taskExecutors: TaskExecutor[],
    private readonly stateDir: string,
    private readonly ownsStateDir: boolean,
  ) {}

  /** Starts a job manager and its task executors; resolves once every task executor registered. */
  static async start(options: MiniClusterOptions = {}): Promise<MiniCluster> {
    const logger = options.logger ?? createLogger({ name: 'minicluster', level: 'silent' });
    const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'flotilla-minicluster-'));
    const loopback = { host: '127.0.0.1', port: 0 };
    // Its jobs are the code of the process that started it: their bundles may be any folder.
    const bundleUriRoots = BundleUriRoots.anywhere('mini cluster');
    const jobManager = await startJobManager({
      ...JOB_MANAGER_DEFAULTS,
      listen: loopback,
      stateDir: join(stateDir, 'jobmanager'),
      bundleUriRoots,
      logger: logger.child({ process: 'jobmanager' }),
    });
    const slots = options.slotsPerTaskExecutor ?? 4;
    const taskExecutors = await Promise.all(
      Array.from({ length: options.taskExecutors ?? 1 }, (_, index) =>
        startTaskExecutor({
          listen: loopback,
          stateDir: join(stateDir, `taskexecutor-${index}`),
          jobmanager: parseHostPort(jobManager.address, 'the job manager address'),
          slots,
          cpus: slots,
          memoryMb: slots * 1024,
          jobManagerTimeoutMs: 10_000,
          bundleUriRoots,
          onStop: (reason) => logger.info({ reason }, 'a task executor of the mini cluster stopped'),
          logger: logger.child({ process: `taskexecutor-${index}` }),
        }),
      ),
    );
    const cluster = new MiniCluster(
      jobManager.address,
      jobManager,
      taskExecutors,
      stateDir,
      options.stateDir === undefined,
    );
    await Promise.all(taskExecutors.map((taskExecutor) => taskExecutor.registered));
    return cluster;
  }

  /** An environment whose jobs run on this cluster; functions are captured from their modules' absolute paths. */
  createEnvironment(options: Partial<ExecutionEnvironmentOptions> = {}): ExecutionEnvironment {
    const submitter = new DispatcherJobSubmitter({ address: this.jobManagerAddress });
    this.submitters.push(submitter);
    return new ExecutionEnvironment({ submitter, captureFunction: bundleFunctionCapturer(), ...options });
  }

  /** Stops every task executor and the job manager; removes the state folder it made. */
  async close(): Promise<void> {
    for (const submitter of this.submitters.splice(0)) submitter.close();
    await Promise.all(this.taskExecutors.map((taskExecutor) => taskExecutor.shutdown()));
    await this.jobManager.shutdown();
    if (this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }
}
