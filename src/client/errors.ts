/**
 * Client-side errors: every failed call to the control plane is rethrown as one of the domain
 * error classes (see `src/common/errors.ts`), chosen from its status code in one place.
 */
import { ClientError, Status } from 'nice-grpc-common';
import { FlotillaError, UnavailableError } from '../common/errors.js';
import { domainErrorOf } from '../rpc/statusMapping.js';

/** The control plane could not be reached at all (nothing listens, or the network is down). */
export class ControlPlaneUnreachableError extends FlotillaError {
  override name = 'ControlPlaneUnreachableError';

  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(
      `cannot reach the control plane at ${address} (${detail}); start one with "flotilla controlplane", ` +
        'or point --controlplane / FLOTILLA_CONTROLPLANE at a running one',
    );
  }
}

/**
 * The replica a call went to was lost while the call was under way (killed, shutting down, its
 * connection broken), and the call is not one that is safe to send again: whether it was done is
 * not known. UNAVAILABLE, like any other answer of a control plane going away.
 */
export class ReplicaLostError extends UnavailableError {
  override name = 'ReplicaLostError';

  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `the control plane replica at ${address} went away during the call, which may or may not have been done; ` +
        `it is not sent again (${(cause as { details?: string }).details ?? String(cause)}): check with "flotilla status" or "flotilla list"`,
    );
  }
}

/** Rethrows a failed call's error as the matching domain error; other errors pass unchanged. */
export function rethrowGrpcError(error: unknown, address: string): never {
  if (!(error instanceof ClientError)) throw error;
  if (
    error.code === Status.UNAVAILABLE &&
    /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|connect/i.test(error.details)
  ) {
    throw new ControlPlaneUnreachableError(address, shortReason(error.details));
  }
  throw domainErrorOf(error.code, error.details);
}

function shortReason(details: string): string {
  const tls = /(?:Error: |^)([^.:]*(?:certificate|self[- ]signed|SSL|TLS|handshake)[^.]*)/i.exec(details)?.[1];
  if (tls) return `TLS: ${tls.trim()}; pass the CA that signed its certificate with --tls-ca or FLOTILLA_TLS_CA`;
  if (/Failed to connect/.test(details))
    return 'the connection failed; if it serves TLS, pass its CA with --tls-ca or FLOTILLA_TLS_CA';
  const code = /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT)\b/.exec(details)?.[1];
  return code === 'ECONNREFUSED' ? 'connection refused' : code ? code : 'no connection';
}
