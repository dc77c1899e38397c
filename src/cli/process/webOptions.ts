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

/** The dashboard a control plane was asked for, and how to serve it beside its gRPC server. */
export interface ProcessWeb {
  /** The Unix socket the control plane's gRPC server must also listen on for the bridge; none without a dashboard. */
  internalSocket: string | undefined;
  /** Starts the dashboard (when asked for) and returns `host` with the dashboard closed at its shutdown. */
  serveBeside(host: ServerHost): Promise<ServerHost>;
}

/** Reads the dashboard flags; an address that does not parse or may not be served is a usage error before anything starts. */
export function processWebOf(
  args: ParsedCommandLine,
  security: ServerSecurity,
  maxMessageBytes: number,
  logger: Logger,
): ProcessWeb {
  const text = args.options['web-listen'] as string | undefined;
  if (text === undefined) return { internalSocket: undefined, serveBeside: (host) => Promise.resolve(host) };
  const listen = parseHostPort(text, '--web-listen');
  checkWebBind(listen.host, security);
  const socketDir = mkdtempSync(join(tmpdir(), 'flotilla-web-'));
  const internalSocket = join(socketDir, 'grpc.sock');
  const addressFile = args.options['web-address-file'] as string | undefined;
  const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
  return {
    internalSocket,
    async serveBeside(host) {
      let endpoint;
      try {
        endpoint = await startWebEndpoint({
          listen,
          security,
          upstream: `unix:${internalSocket}`,
          assetsDir: webAssetsDir(),
          maxMessageBytes,
          logger,
        });
      } catch (error) {
        await host.shutdown();
        removeSocketDir();
        throw error;
      }
      if (addressFile) writeAddressFile(addressFile, endpoint.address);
      const started = endpoint;
      return {
        address: host.address,
        async shutdown() {
          await started.close();
          await host.shutdown();
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
