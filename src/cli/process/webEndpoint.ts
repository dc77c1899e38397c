/**
 * The dashboard's HTTP server, in the control plane's process: the browser files of dist/web/ at
 * `/`, and gRPC-Web calls of flotilla.v1.ClusterClientService at `/flotilla.v1.ClusterClientService/<Method>`,
 * bridged to the control plane's own gRPC server (src/rpc/grpcWeb). HTTPS with the control plane's
 * certificate when it has one; like the gRPC listener, it refuses a non-loopback address unless it
 * has TLS and the control plane asks for tokens, or the operator passed --insecure-bind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { formatHostPort, isLoopback, type HostPort } from '../../common/address.js';
import type { Logger } from '../../common/logger.js';
import { GrpcWebBridge } from '../../rpc/grpcWeb/GrpcWebBridge.js';
import { isSecured, type ServerSecurity } from '../../rpc/security/ServerSecurity.js';
import { UsageError } from '../options/args.js';
import { listenOn } from './listenOn.js';

/** A dashboard server that listens. */
export interface WebEndpoint {
  /** `HOST:PORT` it listens on (the port the system chose for port 0). */
  address: string;
  /** The URL to open in a browser. */
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startWebEndpoint}. */
export interface WebEndpointOptions {
  listen: HostPort;
  /** The control plane's security: its TLS certificate serves HTTPS; its bind rule applies. */
  security: ServerSecurity;
  /** The gRPC server calls are bridged to (grpc-js target). */
  upstream: string;
  /** The folder of the browser files (index.html and what it loads). */
  assetsDir: string;
  maxMessageBytes: number;
  logger: Logger;
}

/** The service the dashboard may call: the one the CLI and other clients use. */
const BRIDGED_SERVICES = ['flotilla.v1.ClusterClientService'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** What every answer carries: the page loads only its own files and talks only to its own server. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Refuses a non-loopback `host` for a server that lacks TLS or tokens, unless `--insecure-bind`. */
export function checkWebBind(host: string, security: ServerSecurity): void {
  if (isLoopback(host) || isSecured(security) || security.insecureBind) return;
  throw new UsageError(
    `refusing to serve the dashboard on ${host} without ${[security.tls ? undefined : 'TLS', security.authentication ? undefined : 'tokens'].filter(Boolean).join(' and ')}: anyone who can reach it could watch and cancel applications. ` +
      `Secure the control plane with ${security.securingFlags}, serve the dashboard on loopback (--web-listen 127.0.0.1:PORT), or pass --insecure-bind to accept the risk`,
  );
}

/** Starts the dashboard's server; resolves once it listens. */
export async function startWebEndpoint(options: WebEndpointOptions): Promise<WebEndpoint> {
  const { listen, security, logger } = options;
  checkWebBind(listen.host, security);
  const assets = loadAssets(options.assetsDir);
  const bridge = new GrpcWebBridge({
    target: options.upstream,
    services: BRIDGED_SERVICES,
    maxMessageBytes: options.maxMessageBytes,
    logger,
  });
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const path = (request.url ?? '/').split('?')[0];
    if (!hostAllowed(request, listen)) {
      response.writeHead(421, { 'content-type': 'text/plain' }).end('this server answers only to its own address\n');
    } else if (bridge.handles(path)) {
      bridge.handle(request, response, path);
    } else {
      serveAsset(request, response, path, assets);
    }
  };
  const tls = security.tls;
  const server: Server = tls
    ? createHttpsServer({ cert: tls.certChainPem, key: tls.privateKeyPem }, handler)
    : createHttpServer(handler);
  await listenOn(server, listen);
  const { port } = server.address() as AddressInfo;
  const address = formatHostPort({ host: listen.host, port });
  const url = `${tls ? 'https' : 'http'}://${address}/`;
  if (assets.size === 0)
    logger.warn({ assetsDir: options.assetsDir }, 'the dashboard is not built (npm run build); its page answers 503');
  if (!isLoopback(listen.host) && !isSecured(security))
    logger.warn(
      { url },
      `INSECURE: serving the dashboard on ${address} (--insecure-bind); anyone who can reach it can use it`,
    );
  logger.info({ address, url }, 'dashboard listening');
  return {
    address,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        bridge.close();
      }),
  };
}

/** A browser file: its bytes and type. */
interface Asset {
  body: Buffer;
  type: string;
}

/** The files of the assets folder, read once: only those names are ever served. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(`/${name}`, { body: readFileSync(join(dir, name)), type });
  }
  return assets;
}

function serveAsset(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  assets: Map<string, Asset>,
): void {
  const asset = assets.get(path === '/' ? '/index.html' : path);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    if (asset) response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  if (assets.size === 0) {
    response
      .writeHead(503, { 'content-type': 'text/plain' })
      .end('the dashboard is not built: run npm run build, then restart the control plane\n');
    return;
  }
  if (!asset) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  response
    .writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache' })
    .end(request.method === 'HEAD' ? undefined : asset.body);
}

/**
 * On loopback, only requests addressed to a loopback name: a page of another site whose name was
 * made to resolve to 127.0.0.1 (DNS rebinding) does not reach the dashboard.
 */
function hostAllowed(request: IncomingMessage, listen: HostPort): boolean {
  if (!isLoopback(listen.host)) return true;
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(host);
}
