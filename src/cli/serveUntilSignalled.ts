/**
 * Runs a server process until SIGINT or SIGTERM: prints the `listening on HOST:PORT` line scripts
 * wait for, then on the first signal shuts the server down (open streams end with UNAVAILABLE) and
 * exits 0; a second signal exits at once.
 */
import type { Logger } from '../common/logger.js';
import type { ServerHost } from '../rpc/serverHost.js';

/** Announces `host` and keeps the process alive until a signal ends it. */
export function serveUntilSignalled(host: ServerHost, logger: Logger): Promise<number> {
  process.stdout.write(`listening on ${host.address}\n`);
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal; exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      host.shutdown().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
