/** The task executor process: serves TaskExecutorService with reflection and health. */
import type { HostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { startServerHost, type ServerHost } from '../rpc/serverHost.js';
import { taskExecutorService } from './taskExecutorService.js';

/** Options of {@link startTaskExecutor}. */
export interface TaskExecutorOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The job manager this task executor belongs to. */
  jobmanager: HostPort;
  /** How many slots it offers. */
  slots: number;
  /** The cpus it offers in all, divided between its slots. */
  cpus: number;
  /** The memory it offers in all, in mebibytes, divided between its slots. */
  memoryMb: number;
  /** The folder for files the process writes (bundles, scratch); created when first needed. */
  stateDir: string;
  /** The process's logger. */
  logger: Logger;
}

/** Starts the task executor; resolves once it listens. */
export async function startTaskExecutor(options: TaskExecutorOptions): Promise<ServerHost> {
  const host = await startServerHost({ listen: options.listen, logger: options.logger, services: [taskExecutorService()] });
  options.logger.info({ address: host.address, slots: options.slots, cpus: options.cpus, memoryMb: options.memoryMb }, 'task executor started');
  return host;
}
