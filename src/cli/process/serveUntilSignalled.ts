/**
 * Runs a server process until SIGINT or SIGTERM, or until the server itself asks to stop: prints
 * the `listening on HOST:PORT` line scripts wait for, then on the first stop shuts the server down
 * (open streams end with UNAVAILABLE) and resolves with the exit code; a second signal exits at once.
 */
import type { Logger } from '../../common/logger.js';
import type { ServerHost } from '../../rpc/serverHost.js';

/**
 * How long a process may stay alive once its server has shut down, in milliseconds. Normally Node
 * ends it at once; a TCP connection to a peer that vanished without closing it (a task executor
 * whose host was partitioned away) is not closed by grpc-js's forced shutdown, and kept the
 * job manager alive until the kernel gave up on the connection, minutes later.
 */
export const EXIT_AFTER_SHUTDOWN_MS = 1000;

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
  let code = exitCode;
  try {
    await host.shutdown();
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    code = 1;
  }
  exitIfStillAliveSoon(code, logger);
  return code;
}

/** Ends the process with `code` after {@link EXIT_AFTER_SHUTDOWN_MS}, unless Node has ended it by then. */
function exitIfStillAliveSoon(code: number, logger: Logger): void {
  const timer = setTimeout(() => {
    logger.warn(
      { resources: process.getActiveResourcesInfo() },
      'still running after the shutdown (a connection to a peer that no longer answers); exiting',
    );
    process.exit(code);
  }, EXIT_AFTER_SHUTDOWN_MS);
  // It never keeps the process alive itself.
  timer.unref();
}
