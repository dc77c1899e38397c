/**
 * Server middleware that authenticates every call before its handler runs: the server's
 * {@link CallerAuthentication} reads the call's metadata and names the caller, or refuses with
 * UNAUTHENTICATED saying how to pass credentials. Health and reflection stay open (see
 * {@link isOpenMethod}). The caller is added to the call context for the handlers and the limits.
 */
import type { CallContext, Metadata, ServerMiddleware } from 'nice-grpc-common';
import { callerOf, type Caller, type CallerContext } from './Caller.js';
import { isOpenMethod } from './openMethods.js';

/** How a server tells who calls it. */
export interface CallerAuthentication {
  /** What a caller must present, for the start log and messages, such as "a bearer token (--auth-config)". */
  readonly describe: string;
  /** The caller the metadata proves; throws UnauthenticatedError (with how to pass credentials) when it proves none. */
  authenticate(metadata: Metadata, peer: string): Caller;
}

/** The middleware that applies `authentication` to every call but the open ones. */
export function authenticationMiddleware(authentication: CallerAuthentication): ServerMiddleware<CallerContext> {
  return async function* authenticate(call, context: CallContext) {
    const caller = isOpenMethod(call.method.path)
      ? callerOf(context)
      : authentication.authenticate(context.metadata, context.peer);
    return yield* call.next(call.request, { ...context, caller });
  };
}
