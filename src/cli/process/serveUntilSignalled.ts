/**
 * Runs a server process until SIGINT or SIGTERM, or until the server itself asks to stop: prints
 * the `listening on HOST:PORT` line scripts wait for, then on the first stop shuts the server down
 * (open streams end with UNAVAILABLE) and resolves with the exit code; a second signal exits at once.
 */
import type { Logger } from '../../common/logger.js';
import type { ServerHost } from '../../rpc/serverHost.js';

/** Lets a server end its own process (a task executor that lost its job manager, a shutdown RPC). */
export type StopProcess = (reason: string, exitCode: number) => void;

/** Starts a server with `start` and keeps the process alive until a signal or the server ends it. */
export async function serveUntilSignalled(
  start: (stop: StopProcess) => Promise<ServerHost>,
  logger: Logger,
): Promise<number> {
  let requestStop: StopProcess = () => undefined;
  const stopped = new Promise<{ reason: string; exitCode: number }>((resolve) => {
    let stopping = false;
    requestStop = (reason, exitCode) => {
      if (stopping) return;
      stopping = true;
      resolve({ reason, exitCode });
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal; exiting now');
        process.exit(1);
      }
      requestStop(`received ${signal}`, 0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const host = await start((reason, exitCode) => requestStop(reason, exitCode));
  process.stdout.write(`listening on ${host.address}\n`);
  const { reason, exitCode } = await stopped;
  logger.info({ reason }, 'shutting down');
  try {
    await host.shutdown();
    return exitCode;
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    return 1;
  }
}
