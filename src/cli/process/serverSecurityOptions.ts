/**
 * The security and limit options every server verb shares (`--tls-cert`, `--tls-key`, `--tls-ca`,
 * `--insecure-bind`, `--max-message-bytes`, `--max-streams-per-caller`), the cluster secret of job
 * managers and task executors, and how they become a {@link ServerSecurity} and the settings of the
 * process's own clients. A server refuses to listen beyond loopback unsecured (a usage error).
 */
import type { HostPort } from '../../common/address.js';
import type { CallerAuthentication } from '../../rpc/security/authenticationMiddleware.js';
import { clusterSecretAuthentication } from '../../rpc/security/clusterSecretAuthentication.js';
import { CLUSTER_SECRET_ENV, type ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import {
  checkBindSecurity,
  InsecureBindError,
  type ServerSecurity,
  type ServerTls,
} from '../../rpc/security/ServerSecurity.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../rpc/serverHost.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';
import { readPemFile } from '../options/controlPlaneConnection.js';
import { nonNegativeInteger, readOptionFile } from '../options/optionValues.js';

/** The shortest cluster secret accepted. */
export const MIN_CLUSTER_SECRET_LENGTH = 16;

/** The TLS, bind and limit options of a server; `defaultMaxStreams` is its default of --max-streams-per-caller (0: none). */
export function serverSecurityOptions(defaultMaxStreams: number): OptionSpec[] {
  return [
    {
      name: 'tls-cert',
      type: 'string',
      valueName: 'FILE',
      description: 'Serve TLS with this certificate chain (PEM; needs --tls-key).',
    },
    { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'The private key of --tls-cert (PEM).' },
    {
      name: 'tls-ca',
      type: 'string',
      valueName: 'FILE',
      // No environment variable: one meant for the CLI would otherwise reach cluster processes through their environment.
      description:
        "CA certificate(s) (PEM) this process trusts when it calls other Flotilla servers over TLS (it does when it serves TLS itself, or is given this); the system's roots when not given.",
    },
    {
      name: 'insecure-bind',
      type: 'boolean',
      description:
        'Listen on a non-loopback --listen address even without TLS and authentication (anyone who reaches it can call it). Without it, such a server listens on loopback only.',
      default: false,
    },
    {
      name: 'max-message-bytes',
      type: 'number',
      valueName: 'BYTES',
      description: 'Largest gRPC message taken or sent; a larger one is refused with RESOURCE_EXHAUSTED.',
      default: DEFAULT_MAX_MESSAGE_BYTES,
    },
    {
      name: 'max-streams-per-caller',
      type: 'number',
      valueName: 'N',
      description:
        'Most streaming calls (watches, log reads, uploads, data exchange) one caller may hold open at once, per tenant with tokens and per client host otherwise; one more is RESOURCE_EXHAUSTED. 0: no limit.',
      default: defaultMaxStreams,
    },
  ];
}

/** `--cluster-secret-file FILE`, of job managers and task executors. */
export const CLUSTER_SECRET_FILE_OPTION: OptionSpec = {
  name: 'cluster-secret-file',
  type: 'string',
  valueName: 'FILE',
  description: `File holding the cluster's secret: only calls that carry it are accepted, and this process sends it on its own calls. Or set ${CLUSTER_SECRET_ENV} to the secret itself. Clusters the control plane deploys get one of their own. Without a secret the process listens on loopback only.`,
};

/** `--tls-server-name NAME`, of job managers and task executors. */
export const TLS_SERVER_NAME_OPTION: OptionSpec = {
  name: 'tls-server-name',
  type: 'string',
  valueName: 'NAME',
  description:
    "The name the other members' TLS certificates carry, checked instead of the address dialed (a cluster on Kubernetes: its members are dialed by pod IP, and their certificate names the job manager's Service). The address dialed when not given.",
};

/** The server's certificate and key from --tls-cert and --tls-key (both or neither). */
export function serverTlsOf(args: ParsedCommandLine): ServerTls | undefined {
  const cert = args.options['tls-cert'] as string | undefined;
  const key = args.options['tls-key'] as string | undefined;
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new UsageError(
      '--tls-cert and --tls-key go together: the certificate chain and its private key, both PEM files',
    );
  return { certChainPem: readPemFile(cert, '--tls-cert'), privateKeyPem: readPemFile(key, '--tls-key') };
}

/** The cluster secret from --cluster-secret-file or FLOTILLA_CLUSTER_SECRET, if any. */
export function clusterSecretOf(args: ParsedCommandLine, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = args.options['cluster-secret-file'] as string | undefined;
  const secret = file
    ? readOptionFile(file, '--cluster-secret-file').trim()
    : env[CLUSTER_SECRET_ENV]?.trim() || undefined;
  if (secret !== undefined) checkClusterSecret(secret, file ? `--cluster-secret-file ${file}` : CLUSTER_SECRET_ENV);
  return secret;
}

/** A usage error naming `source` unless `secret` is long enough and has no spaces. */
export function checkClusterSecret(secret: string, source: string): void {
  if (secret.length < MIN_CLUSTER_SECRET_LENGTH || /\s/.test(secret)) {
    throw new UsageError(
      `the cluster secret (${source}) must be at least ${MIN_CLUSTER_SECRET_LENGTH} characters without spaces`,
    );
  }
}

/**
 * What the process's own calls to other Flotilla servers use: TLS when it serves TLS or was given
 * --tls-ca (trusting that CA, or the system's roots; checking --tls-server-name when given), and
 * the cluster's secret when it has one.
 */
export function internalClientSecurityOf(
  args: ParsedCommandLine,
  tls: ServerTls | undefined,
  clusterSecret?: string,
): ClientSecurity {
  const caFile = args.options['tls-ca'] as string | undefined;
  const caPem = caFile ? readPemFile(caFile, '--tls-ca') : undefined;
  const serverName = (args.options['tls-server-name'] as string | undefined) || undefined;
  return { tls: tls || caPem ? { caPem, ...(serverName ? { serverName } : {}) } : undefined, clusterSecret };
}

/** The server's security from its options; a usage error when it would listen beyond loopback unsecured. */
export function serverSecurityOf(
  args: ParsedCommandLine,
  listen: HostPort,
  tls: ServerTls | undefined,
  authentication: CallerAuthentication | undefined,
  securingFlags: string,
): ServerSecurity {
  const security: ServerSecurity = {
    tls,
    authentication,
    insecureBind: args.options['insecure-bind'] === true,
    securingFlags,
  };
  try {
    checkBindSecurity(listen.host, security);
  } catch (error) {
    if (error instanceof InsecureBindError) throw new UsageError(error.message);
    throw error;
  }
  return security;
}

/** The limits of --max-message-bytes and --max-streams-per-caller. */
export function serverLimitsOf(args: ParsedCommandLine): { maxMessageBytes: number; maxStreamsPerCaller: number } {
  const maxMessageBytes = args.options['max-message-bytes'] as number;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1024)
    throw new UsageError(`--max-message-bytes must be a whole number of at least 1024, got ${maxMessageBytes}`);
  const maxStreamsPerCaller = nonNegativeInteger(args, 'max-streams-per-caller', 'no limit');
  return { maxMessageBytes, maxStreamsPerCaller };
}

/**
 * The security, client settings and limits of a cluster member (`role`: "job manager", "task
 * executor"): TLS from its files, the cluster secret as what callers must present and what its own
 * calls carry, refusing to listen beyond loopback unsecured.
 */
export function clusterMemberSettingsOf(
  args: ParsedCommandLine,
  listen: HostPort,
  role: string,
): { security: ServerSecurity; clientSecurity: ClientSecurity; maxMessageBytes: number; maxStreamsPerCaller: number } {
  const tls = serverTlsOf(args);
  const clusterSecret = clusterSecretOf(args);
  const authentication = clusterSecret ? clusterSecretAuthentication(clusterSecret, role) : undefined;
  return {
    security: serverSecurityOf(args, listen, tls, authentication, '--tls-cert, --tls-key and --cluster-secret-file'),
    clientSecurity: internalClientSecurityOf(args, tls, clusterSecret),
    ...serverLimitsOf(args),
  };
}
