/**
 * The task executor process: offers its slots, registers with its job manager and heartbeats, and
 * exits when the job manager has been unreachable longer than its timeout or asks it to shut down.
 */
import type { HostPort } from '../common/address.js';
import { formatHostPort } from '../common/address.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { grpcJobManagerGateway } from '../rpc/gateways/grpcJobManagerGateway.js';
import { startServerHost, type ServerHost } from '../rpc/serverHost.js';
import { JobManagerConnection } from './JobManagerConnection.js';
import { TaskSlotTable } from './TaskSlotTable.js';
import { taskExecutorService } from './taskExecutorService.js';

/** Options of {@link startTaskExecutor}. */
export interface TaskExecutorOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder for files the process writes (bundles, scratch); created when first needed. */
  stateDir: string;
  /** The job manager this task executor belongs to. */
  jobmanager: HostPort;
  /** How many slots it offers. */
  slots: number;
  /** The cpus it offers in all, divided between its slots. */
  cpus: number;
  /** The memory it offers in all, in mebibytes, divided between its slots. */
  memoryMb: number;
  /** How long the job manager may be unreachable before this process exits, in milliseconds. */
  jobManagerTimeoutMs: number;
  /** Called when the task executor decides to stop (job manager lost or shutdown requested), with the exit code. */
  onStop(reason: string, exitCode: number): void;
  /** The process's logger. */
  logger: Logger;
}

/** A running task executor. */
export interface TaskExecutor extends ServerHost {
  readonly taskExecutorId: string;
}

/** Starts the task executor; resolves once it listens (registration continues in the background). */
export async function startTaskExecutor(options: TaskExecutorOptions): Promise<TaskExecutor> {
  const taskExecutorId = newId('te');
  const logger = options.logger.child({ taskExecutorId });
  const slots = new TaskSlotTable(options.slots, { cpus: options.cpus, memoryMb: options.memoryMb });
  const runningAttempts = () => [];
  const host = await startServerHost({
    listen: options.listen,
    logger,
    services: [taskExecutorService({ taskExecutorId, slots, runningAttempts, onShutDown: (reason) => options.onStop(reason, 0) })],
  });
  const jobManagerAddress = formatHostPort(options.jobmanager);
  const connection = new JobManagerConnection({
    taskExecutorId,
    address: host.address,
    jobManagerAddress,
    gateway: grpcJobManagerGateway(jobManagerAddress),
    unreachableTimeoutMs: options.jobManagerTimeoutMs,
    slots: () => slots.report(),
    runningAttempts,
    onJobManagerLost: (reason) => {
      logger.error({ jobManager: jobManagerAddress }, `giving up: ${reason}`);
      options.onStop(reason, 1);
    },
    logger,
  });
  connection.start();
  logger.info({ address: host.address, slots: options.slots, cpus: options.cpus, memoryMb: options.memoryMb, jobManager: jobManagerAddress }, 'task executor started');
  return {
    taskExecutorId,
    address: host.address,
    async shutdown() {
      connection.stop();
      await host.shutdown();
    },
  };
}
