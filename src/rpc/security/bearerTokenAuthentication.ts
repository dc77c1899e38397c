/**
 * The control plane's authentication with bearer tokens: a call carries `authorization: Bearer
 * <token>` metadata, and the token names a tenant (the auth config's table, behind `tenantOf`).
 * No token, a malformed header or an unknown token are UNAUTHENTICATED with how to pass one.
 */
import { UnauthenticatedError } from '../../common/errors.js';
import type { CallerAuthentication } from './authenticationMiddleware.js';
import { AUTHORIZATION_METADATA } from './ClientSecurity.js';

const HOW_TO =
  'pass a token with --token or FLOTILLA_TOKEN (the CLI), or as "authorization: Bearer <token>" metadata (grpcurl -H, buf curl -H)';

/** Accepts calls whose bearer token `tenantOf` knows; the caller is that tenant. */
export function bearerTokenAuthentication(tenantOf: (token: string) => string | undefined): CallerAuthentication {
  return {
    describe: 'a bearer token (--auth-config)',
    authenticate(metadata) {
      const header = metadata.get(AUTHORIZATION_METADATA);
      if (typeof header !== 'string' || header.trim() === '') {
        throw new UnauthenticatedError(`this control plane needs a bearer token: ${HOW_TO}`);
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
      if (!match) throw new UnauthenticatedError(`the authorization metadata must be "Bearer <token>"; ${HOW_TO}`);
      const tenant = tenantOf(match[1]);
      if (tenant === undefined)
        throw new UnauthenticatedError(`the bearer token is not one this control plane knows; ${HOW_TO}`);
      return { tenant, key: `tenant ${tenant}` };
    },
  };
}
