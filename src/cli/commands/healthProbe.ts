/**
 * `flotilla health-probe`: the readiness probe of a cluster's pods on Kubernetes 1.20, which has no
 * gRPC probe of its own: one grpc.health.v1 Check of the server in this pod (at the pod's IP from
 * FLOTILLA_POD_IP, else 127.0.0.1), exit 0 when it is SERVING and 1 otherwise. A pod serving TLS
 * is asked over TLS (`--tls-ca`, and `--tls-server-name`: the name its certificate carries).
 */
import { checkHealth } from '../../rpc/healthCheck.js';
import { readPemFile } from '../options/controlPlaneConnection.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { positiveInteger } from '../options/optionValues.js';

export const healthProbeCommand: CommandSpec = {
  name: 'health-probe',
  summary: 'Check the health of a Flotilla server in this pod (grpc.health.v1): exit 0 when SERVING.',
  positionals: [],
  options: [
    { name: 'port', type: 'number', valueName: 'PORT', description: 'The port the server listens on.', default: 6123 },
    {
      name: 'host',
      type: 'string',
      valueName: 'HOST',
      env: 'FLOTILLA_POD_IP',
      description: 'The host the server listens on.',
      default: '127.0.0.1',
    },
    {
      name: 'service',
      type: 'string',
      valueName: 'NAME',
      description: "The service whose health is asked, such as flotilla.v1.DispatcherService; '' for the server's.",
      default: '',
    },
    {
      name: 'tls-ca',
      type: 'string',
      valueName: 'FILE',
      description: 'Speak TLS, trusting the CA certificate(s) in this PEM file; plaintext when not given.',
    },
    {
      name: 'tls-server-name',
      type: 'string',
      valueName: 'NAME',
      description: "The name the server's certificate carries, checked instead of HOST (with --tls-ca).",
    },
    {
      name: 'timeout',
      type: 'number',
      valueName: 'MS',
      description: 'How long to wait for the answer, in milliseconds.',
      default: 3000,
    },
  ],
};

export async function runHealthProbe(args: ParsedCommandLine): Promise<number> {
  const address = `${args.options.host as string}:${positiveInteger(args, 'port')}`;
  const caFile = args.options['tls-ca'] as string | undefined;
  const tls = caFile
    ? { caPem: readPemFile(caFile, '--tls-ca'), serverName: args.options['tls-server-name'] as string | undefined }
    : undefined;
  const timeoutMs = positiveInteger(args, 'timeout');
  const serving = await checkHealth(address, args.options.service as string, timeoutMs, tls).catch((error: unknown) => {
    process.stderr.write(`${address}: ${(error as Error).message}\n`);
    return false;
  });
  if (!serving) process.stderr.write(`${address} is not serving\n`);
  return serving ? 0 : 1;
}
