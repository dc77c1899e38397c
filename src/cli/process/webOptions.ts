/**
 * The dashboard flags of the control plane (`--web-listen`, `--web-address-file`) and what they
 * start: the dashboard's HTTP server beside the control plane's gRPC server, closed with it, and the
 * private Unix socket through which its gRPC-Web bridge reaches that server (in a folder of its own
 * under the system's temp dir, mode 0700, removed at shutdown).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHostPort } from '../../common/address.js';
import { writeAddressFile } from '../../common/addressFile.js';
import type { Logger } from '../../common/logger.js';
import type { ServerSecurity } from '../../rpc/security/ServerSecurity.js';
import type { ServerHost } from '../../rpc/serverHost.js';
import type { OptionSpec, ParsedCommandLine } from '../options/args.js';
import { checkWebBind, startWebEndpoint } from './webEndpoint.js';

/** The dashboard flags of `flotilla controlplane`. */
export const WEB_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'web-listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description:
      'Serve the web dashboard on http://HOST:PORT/ (https with --tls-cert), its live updates over gRPC-Web calls of flotilla.v1.ClusterClientService with the same tokens as the CLI; port 0 for any free port (the log line "dashboard listening" and --web-address-file name the one chosen). Like --listen, a non-loopback address needs TLS and --auth-config, or --insecure-bind. Off when not given.',
  },
  {
    name: 'web-address-file',
    type: 'string',
    valueName: 'FILE',
    description: 'Once the dashboard listens, write its HOST:PORT to FILE (atomically).',
  },
];

/** Starts the control plane's server; `internalSocket` is where it must also serve for the dashboard's bridge. */
export type StartServer = (internalSocket: string | undefined) => Promise<ServerHost>;

/** The dashboard a control plane was asked for. */
export interface ProcessWeb {
  /**
   * Starts the server with `start` and, when asked for, the dashboard beside it; returns the server
   * with the dashboard closed at its shutdown. The socket's folder is removed when either fails to start.
   */
  serveWith(start: StartServer): Promise<ServerHost>;
}

/** Reads the dashboard flags; an address that does not parse or may not be served is a usage error before anything starts. */
export function processWebOf(
  args: ParsedCommandLine,
  security: ServerSecurity,
  maxMessageBytes: number,
  logger: Logger,
): ProcessWeb {
  const text = args.options['web-listen'] as string | undefined;
  if (text === undefined) return { serveWith: (start) => start(undefined) };
  const listen = parseHostPort(text, '--web-listen');
  checkWebBind(listen.host, security);
  const addressFile = args.options['web-address-file'] as string | undefined;
  return {
    async serveWith(start) {
      const socketDir = mkdtempSync(join(tmpdir(), 'flotilla-web-'));
      const internalSocket = join(socketDir, 'grpc.sock');
      const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
      let host: ServerHost | undefined;
      let endpoint;
      try {
        host = await start(internalSocket);
        endpoint = await startWebEndpoint({
          listen,
          security,
          upstream: `unix:${internalSocket}`,
          assetsDir: webAssetsDir(),
          maxMessageBytes,
          logger,
        });
      } catch (error) {
        await host?.shutdown();
        removeSocketDir();
        throw error;
      }
      if (addressFile) writeAddressFile(addressFile, endpoint.address);
      const started = { host, endpoint };
      return {
        address: host.address,
        async shutdown() {
          await started.endpoint.close();
          await started.host.shutdown();
          removeSocketDir();
        },
      };
    },
  };
}

/**
 * dist/web/, the dashboard's browser files (npm run build, scripts/bundle-web.mjs): found from this
 * module's own place under dist/, which is dist/src/cli/process/ compiled and dist/bundle/cli/ bundled.
 */
function webAssetsDir(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.lastIndexOf('/dist/');
  return dist < 0 ? join(here, '../../../../dist/web') : join(here.slice(0, dist), 'dist/web');
}
