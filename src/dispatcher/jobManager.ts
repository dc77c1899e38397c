/**
 * The job manager process of a session cluster: the resource manager (task executors, slots,
 * heartbeats) behind DispatcherService, with reflection and health.
 */
import type { HostPort } from '../common/address.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { ResourceManager } from '../resourcemanager/ResourceManager.js';
import { grpcTaskExecutorGateway } from '../rpc/gateways/grpcTaskExecutorGateway.js';
import { startServerHost, type ServerHost } from '../rpc/serverHost.js';
import { dispatcherService } from './dispatcherService.js';

/** Options of {@link startJobManager}. */
export interface JobManagerOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder for files the process writes (bundles, scratch); created when first needed. */
  stateDir: string;
  /** The cluster's id; a new one when not given. */
  clusterId?: string;
  /** How often task executors heartbeat, in milliseconds. */
  heartbeatIntervalMs: number;
  /** How long without a heartbeat before a task executor is lost, in milliseconds. */
  heartbeatTimeoutMs: number;
  /** How long a slot request waits for a fitting slot before RESOURCE_EXHAUSTED, in milliseconds. */
  slotRequestTimeoutMs: number;
  /** The process's logger. */
  logger: Logger;
}

/** The defaults of the job manager's settings. */
export const JOB_MANAGER_DEFAULTS = {
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 10_000,
  slotRequestTimeoutMs: 30_000,
} as const;

/** Starts the job manager; resolves once it listens. */
export async function startJobManager(options: JobManagerOptions): Promise<ServerHost> {
  const clusterId = options.clusterId ?? newId('cluster');
  const resourceManager = new ResourceManager({
    clusterId,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    slotRequestTimeoutMs: options.slotRequestTimeoutMs,
    connect: (address) => grpcTaskExecutorGateway(address),
    logger: options.logger,
  });
  const host = await startServerHost({
    listen: options.listen,
    logger: options.logger,
    services: [dispatcherService({ clusterId, resourceManager })],
  });
  options.logger.info({ address: host.address, clusterId }, 'job manager started');
  return {
    address: host.address,
    async shutdown() {
      resourceManager.close();
      await host.shutdown();
    },
  };
}
