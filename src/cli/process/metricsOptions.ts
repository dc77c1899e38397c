/**
 * The metrics flags of the server processes (`--metrics-listen`, `--metrics-insecure-bind`,
 * `--metrics-address-file`) and what they start: a Prometheus registry the process's components
 * publish to, served by a metrics endpoint beside the process's gRPC server and closed with it.
 * Without `--metrics-listen` components publish to {@link NO_METRICS} and nothing listens.
 */
import { parseHostPort } from '../../common/address.js';
import { writeAddressFile } from '../../common/addressFile.js';
import type { Logger } from '../../common/logger.js';
import { NO_METRICS, type Metrics } from '../../common/metrics.js';
import type { ServerHost } from '../../rpc/serverHost.js';
import type { OptionSpec, ParsedCommandLine } from '../options/args.js';
import { checkMetricsBind, startMetricsEndpoint } from './metricsEndpoint.js';
import { prometheusMetrics } from './prometheusMetrics.js';

/** The metrics flags, shared by `flotilla controlplane` and `flotilla jobmanager`. */
export const METRICS_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'metrics-listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description:
      'Serve Prometheus metrics on GET http://HOST:PORT/metrics (plain HTTP; port 0 for any free port: the log line "metrics endpoint listening" and --metrics-address-file name the one chosen). Off when not given.',
  },
  {
    name: 'metrics-insecure-bind',
    type: 'boolean',
    description:
      'Serve metrics on a non-loopback --metrics-listen address (the endpoint has neither TLS nor authentication, and its metrics name tenants). Without it, metrics are served on loopback only.',
    default: false,
  },
  {
    name: 'metrics-address-file',
    type: 'string',
    valueName: 'FILE',
    description: 'Once the metrics endpoint listens, write its HOST:PORT to FILE (atomically).',
  },
];

/** The metrics a process asked for on its command line, and how to serve them beside its server. */
export interface ProcessMetrics {
  /** What the process's components publish to. */
  metrics: Metrics;
  /** Starts the endpoint (when asked for) and returns `host` with the endpoint closed at its shutdown. */
  serveBeside(host: ServerHost): Promise<ServerHost>;
}

/** Reads the metrics flags; an address that does not parse is a usage error before anything starts. */
export function processMetricsOf(args: ParsedCommandLine, logger: Logger): ProcessMetrics {
  const text = args.options['metrics-listen'] as string | undefined;
  if (text === undefined) return { metrics: NO_METRICS, serveBeside: (host) => Promise.resolve(host) };
  const listen = parseHostPort(text, '--metrics-listen');
  const insecureBind = args.options['metrics-insecure-bind'] === true;
  checkMetricsBind(listen.host, insecureBind);
  const metrics = prometheusMetrics();
  const addressFile = args.options['metrics-address-file'] as string | undefined;
  return {
    metrics,
    async serveBeside(host) {
      let endpoint;
      try {
        endpoint = await startMetricsEndpoint({
          listen,
          metrics,
          logger,
          insecureBind,
        });
      } catch (error) {
        await host.shutdown();
        throw error;
      }
      if (addressFile) writeAddressFile(addressFile, endpoint.address);
      const started = endpoint;
      return {
        address: host.address,
        async shutdown() {
          await started.close();
          await host.shutdown();
        },
      };
    },
  };
}
