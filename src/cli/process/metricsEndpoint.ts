/**
 * The metrics endpoint of a server process: GET /metrics over plain HTTP (node:http) answers the
 * process's metrics in Prometheus' text format; anything else is 404 (405 for another method on
 * /metrics). It has neither TLS nor authentication and its metrics name tenants, so it listens on
 * loopback unless the operator accepts the risk explicitly (`--metrics-insecure-bind`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatHostPort, isLoopback, type HostPort } from '../../common/address.js';
import { UsageError } from '../options/args.js';
import { listenOn } from './listenOn.js';
import type { Logger } from '../../common/logger.js';
import type { PrometheusMetrics } from './prometheusMetrics.js';

/** A metrics endpoint that listens. */
export interface MetricsEndpoint {
  /** `HOST:PORT` it listens on (the port the system chose for port 0). */
  address: string;
  close(): Promise<void>;
}

/** Options of {@link startMetricsEndpoint}. */
export interface MetricsEndpointOptions {
  listen: HostPort;
  metrics: PrometheusMetrics;
  logger: Logger;
  /** Listen beyond loopback although anyone who reaches it can read the metrics. */
  insecureBind: boolean;
}

/** Refuses to serve metrics on a non-loopback `host` unless `insecureBind`. */
export function checkMetricsBind(host: string, insecureBind: boolean): void {
  if (isLoopback(host) || insecureBind) return;
  throw new UsageError(
    `refusing to serve metrics on ${host}: the endpoint has neither TLS nor authentication and its metrics name tenants. ` +
      'Listen on loopback (--metrics-listen 127.0.0.1:PORT) and let a local agent scrape it, or pass --metrics-insecure-bind to accept the risk',
  );
}

/** Starts the endpoint; resolves once it listens. Refuses a non-loopback address without `insecureBind`. */
export async function startMetricsEndpoint(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  const { listen, metrics, logger } = options;
  checkMetricsBind(listen.host, options.insecureBind);
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
      return;
    }
    metrics.scrape().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed; see the log\n');
      },
    );
  });
  await listenOn(server, listen);
  const { address: host, port } = server.address() as AddressInfo;
  const address = formatHostPort({ host, port });
  if (!isLoopback(listen.host))
    logger.warn(
      { address },
      `INSECURE: serving metrics on ${address} (--metrics-insecure-bind); anyone who can reach it can read them`,
    );
  logger.info({ address }, 'metrics endpoint listening');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
