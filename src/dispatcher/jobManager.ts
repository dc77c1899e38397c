/** The job manager process of a session cluster: serves DispatcherService with reflection and health. */
import type { HostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { startServerHost, type ServerHost } from '../rpc/serverHost.js';
import { dispatcherService } from './dispatcherService.js';

/** Options of {@link startJobManager}. */
export interface JobManagerOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder for files the process writes (bundles, scratch); created when first needed. */
  stateDir: string;
  /** The process's logger. */
  logger: Logger;
}

/** Starts the job manager; resolves once it listens. */
export async function startJobManager(options: JobManagerOptions): Promise<ServerHost> {
  const host = await startServerHost({ listen: options.listen, logger: options.logger, services: [dispatcherService()] });
  options.logger.info({ address: host.address }, 'job manager started');
  return host;
}
