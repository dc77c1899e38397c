/**
 * The one place where Flotilla's clients get their channels: TLS or plaintext credentials from a
 * {@link ClientSecurity}, and a client factory that adds the caller's credential (cluster secret or
 * bearer token) to every call's metadata. Every gateway, the exchange's partition clients, the
 * driver's job submitter and the CLI's control-plane client connect through here.
 */
import {
  ChannelCredentials,
  createChannel,
  createClientFactory,
  Metadata,
  type Channel,
  type ChannelOptions,
  type Client,
  type ClientMiddleware,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { AUTHORIZATION_METADATA, CLUSTER_SECRET_METADATA, type ClientSecurity } from './ClientSecurity.js';

/** TLS credentials trusting the security's CAs (the system's roots without them), or plaintext ones. */
export function channelCredentials(security: ClientSecurity = {}): ChannelCredentials {
  if (!security.tls) return ChannelCredentials.createInsecure();
  silenceIpServerNameWarning();
  return ChannelCredentials.createSsl(security.tls.caPem === undefined ? null : Buffer.from(security.tls.caPem));
}

let silenced = false;

/**
 * grpc-js always sends the dialed host as the TLS server name, and Node warns (DEP0123, once per
 * process or thread) when that is an IP address, which is how cluster processes are dialed
 * (127.0.0.1:PORT). The certificate is still checked against the address (its IP SAN), so the
 * warning says nothing useful, and in a driver's thread it would land in the application's log.
 * Only that one warning is dropped.
 */
function silenceIpServerNameWarning(): void {
  if (silenced) return;
  silenced = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, second, third] = args;
    const code = typeof second === 'object' && second !== null ? (second as { code?: string }).code : third;
    if (code === 'DEP0123') return;
    emitWarning(...args);
  }) as typeof process.emitWarning;
}

/** A channel to `address` (HOST:PORT) with the security's credentials; it connects lazily. */
export function openChannel(address: string, security: ClientSecurity = {}, options: ChannelOptions = {}): Channel {
  const serverName = security.tls?.serverName;
  const named = serverName ? { ...options, 'grpc.ssl_target_name_override': serverName } : options;
  return createChannel(address, channelCredentials(security), named);
}

/** A client of `definition` on `channel` whose every call carries the security's credential. */
export function createSecuredClient<Service extends CompatServiceDefinition>(
  definition: Service,
  channel: Channel,
  security: ClientSecurity = {},
): Client<Service> {
  const metadata = credentialMetadata(security);
  if (metadata.length === 0) return createClientFactory().create(definition, channel);
  return createClientFactory().use(addMetadata(metadata)).create(definition, channel);
}

/** A channel to `address` and a client of `definition` on it, both with the security's credentials. */
export function connectClient<Service extends CompatServiceDefinition>(
  definition: Service,
  address: string,
  security: ClientSecurity = {},
  options: ChannelOptions = {},
): { channel: Channel; client: Client<Service> } {
  const channel = openChannel(address, security, options);
  return { channel, client: createSecuredClient(definition, channel, security) };
}

/** The metadata entries a call carries for the security's credential. */
function credentialMetadata(security: ClientSecurity): [string, string][] {
  const entries: [string, string][] = [];
  if (security.clusterSecret) entries.push([CLUSTER_SECRET_METADATA, security.clusterSecret]);
  if (security.bearerToken) entries.push([AUTHORIZATION_METADATA, `Bearer ${security.bearerToken}`]);
  return entries;
}

/** Client middleware that sets `entries` on every call's metadata (keeping what the caller set). */
function addMetadata(entries: readonly [string, string][]): ClientMiddleware {
  return async function* withCredentials(call, options) {
    const metadata = Metadata(options.metadata);
    for (const [key, value] of entries) if (!metadata.has(key)) metadata.set(key, value);
    return yield* call.next(call.request, { ...options, metadata });
  };
}
