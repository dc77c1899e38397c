/** Options every Flotilla process or client verb shares (DESIGN.md: shared conventions). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROL_PLANE_ADDRESS } from '../../client/controlPlaneClient.js';
import type { OptionSpec } from './args.js';

/** `--log-level`, for every process. */
export const LOG_LEVEL_OPTION: OptionSpec = {
  name: 'log-level',
  type: 'string',
  valueName: 'LEVEL',
  description: 'Least severe log level written to stderr: trace, debug, info, warn, error, fatal or silent.',
  default: 'info',
  env: 'FLOTILLA_LOG_LEVEL',
};

/** `--listen HOST:PORT`, for every server; port 0 picks a free port. */
export function listenOption(defaultAddress: string): OptionSpec {
  return {
    name: 'listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description: 'Address to serve on; port 0 picks a free port. The first stdout line is "listening on HOST:PORT".',
    default: defaultAddress,
  };
}

/** The control plane's state dir when none is given. */
export const DEFAULT_STATE_DIR = join(homedir(), '.flotilla');

/**
 * `--state-dir DIR`, for every process: where it keeps what it writes to disk. Without a default
 * directory, the process uses a folder of its own under the system's temp dir (`common/scratchDir.ts`: private, removed at exit).
 */
export function stateDirOption(what: string, defaultDir?: string, env?: string): OptionSpec {
  const fallback = defaultDir === undefined ? ' Default: a folder of its own under the system temp dir.' : '';
  return {
    name: 'state-dir',
    type: 'string',
    valueName: 'DIR',
    description: `Folder that holds ${what}; created if missing.${fallback}`,
    default: defaultDir,
    env,
  };
}

/** `--controlplane HOST:PORT`, for every client verb. */
export const CONTROL_PLANE_OPTION: OptionSpec = {
  name: 'controlplane',
  type: 'string',
  valueName: 'HOST:PORT[,HOST:PORT...]',
  description:
    "Control plane to talk to; without it, the client config's context says, else the default. Several replicas of one control plane separated by commas: the first that answers is used, and a call is sent to the next when its replica is unreachable, or dies under it and the call is safe to repeat (reads, watches and logs resumed where they were, uploads, submissions with their request id; see flotilla --help).",
  default: DEFAULT_CONTROL_PLANE_ADDRESS,
  env: 'FLOTILLA_CONTROLPLANE',
};

/** `--tls-ca FILE`, for every client verb: the control plane speaks TLS, signed by this CA. */
export const TLS_CA_OPTION: OptionSpec = {
  name: 'tls-ca',
  type: 'string',
  valueName: 'FILE',
  description:
    'Talk TLS to the control plane, trusting the CA certificate(s) in this PEM file (a control plane started with --tls-cert).',
  env: 'FLOTILLA_TLS_CA',
};

/** `--token TOKEN`, for every client verb: the bearer token a control plane with --auth-config asks for. */
export const TOKEN_OPTION: OptionSpec = {
  name: 'token',
  type: 'string',
  valueName: 'TOKEN',
  description:
    'Bearer token for a control plane started with --auth-config; it names your tenant. Prefer the environment variable: a flag shows in the process list.',
  env: 'FLOTILLA_TOKEN',
};

/** `--context NAME`, for every client verb: which context of the client config to use instead of its current one. */
export const CONTEXT_OPTION: OptionSpec = {
  name: 'context',
  type: 'string',
  valueName: 'NAME',
  description:
    'Context of the client config (flotilla config get-contexts) to take --controlplane, --tls-ca and --token from, instead of its current context; flags and their environment variables override what it says.',
  env: 'FLOTILLA_CONTEXT',
};

/** The options of every client verb: where the control plane is and how to reach it securely. */
export const CLIENT_OPTIONS: readonly OptionSpec[] = [
  CONTROL_PLANE_OPTION,
  TLS_CA_OPTION,
  TOKEN_OPTION,
  CONTEXT_OPTION,
];

/**
 * `--quiet`, for the verbs that make people wait (run, watch, upload, cluster start): no progress
 * at all. Without it, progress goes to stderr, redrawn in place on a terminal (spinner, bytes,
 * task executors ready) and as occasional plain lines elsewhere; stdout never carries it.
 */
export const QUIET_OPTION: OptionSpec = {
  name: 'quiet',
  aliases: ['-q'],
  type: 'boolean',
  description:
    'No progress on stderr: no spinner or progress line on a terminal, no upload progress lines elsewhere. Events and results are printed as without it.',
};
