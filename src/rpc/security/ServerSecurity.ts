/**
 * How a Flotilla server protects itself: TLS, how it authenticates callers, and whether it may
 * listen beyond loopback. The rule every server follows: without TLS *and* authentication it
 * listens on loopback only (and says so at start); another address then needs an explicit
 * `--insecure-bind`, which it warns about loudly.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import { isLoopback } from '../../common/address.js';
import { FlotillaError } from '../../common/errors.js';
import type { CallerAuthentication } from './authenticationMiddleware.js';

/** A server's certificate and key. */
export interface ServerTls {
  /** PEM text of the certificate chain, the server's own certificate first. */
  certChainPem: string;
  /** PEM text of the private key. */
  privateKeyPem: string;
}

/** The security settings of one server. */
export interface ServerSecurity {
  /** Serve TLS; plaintext when not given. */
  tls?: ServerTls;
  /** How callers are authenticated; anyone who can connect may call when not given. */
  authentication?: CallerAuthentication;
  /** Listen on a non-loopback address even without TLS and authentication (`--insecure-bind`). */
  insecureBind?: boolean;
  /** The flags that secure this server, for the refusal's message, such as "--tls-cert, --tls-key and --auth-config". */
  securingFlags: string;
}

/** A server was asked to listen beyond loopback without TLS and authentication, and without `--insecure-bind`. */
export class InsecureBindError extends FlotillaError {
  override name = 'InsecureBindError';
}

/** Whether the server has both TLS and authentication. */
export function isSecured(security: ServerSecurity | undefined): boolean {
  return security?.tls !== undefined && security.authentication !== undefined;
}

/** Throws {@link InsecureBindError} when `host` is not loopback, the server is not secured, and insecure binding was not asked for. */
export function checkBindSecurity(host: string, security: ServerSecurity | undefined): void {
  if (isLoopback(host) || isSecured(security) || security?.insecureBind) return;
  const missing = [security?.tls ? undefined : 'TLS', security?.authentication ? undefined : 'authentication']
    .filter(Boolean)
    .join(' and ');
  throw new InsecureBindError(
    `refusing to listen on ${host} without ${missing}: anyone who can reach it could call it. ` +
      `Secure it with ${security?.securingFlags ?? '--tls-cert and --tls-key'}, listen on loopback (--listen 127.0.0.1:PORT), ` +
      'or pass --insecure-bind to accept the risk',
  );
}

/** The credentials the server listens with: TLS from the security's certificate and key, or plaintext. */
export function serverCredentials(security: ServerSecurity | undefined): ServerCredentials {
  const tls = security?.tls;
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(tls.certChainPem), private_key: Buffer.from(tls.privateKeyPem) }],
    false,
  );
}
