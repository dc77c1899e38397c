/**
 * Server middleware that bounds how many streaming calls (watches, log reads, uploads, data
 * exchange) one caller holds open at once: one more is RESOURCE_EXHAUSTED naming the limit. Callers
 * are told apart by {@link callerOf}: the tenant on a control plane with tokens, the peer's host
 * otherwise. Unary calls are not counted; they end on their own.
 */
import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc-common';
import { callerOf } from './Caller.js';

/** The middleware allowing each caller `max` open streams (at least 1). */
export function streamLimitMiddleware(max: number): ServerMiddleware {
  const open = new Map<string, number>();
  return async function* limitStreams(call, context: CallContext) {
    if (!call.method.requestStream && !call.method.responseStream) return yield* call.next(call.request, context);
    const { key } = callerOf(context);
    const count = open.get(key) ?? 0;
    if (count >= max) {
      throw new ServerError(
        Status.RESOURCE_EXHAUSTED,
        `${key} already has ${count} streams open on this server, the most one caller may (--max-streams-per-caller ${max}); end one (a watch, a log read) first`,
      );
    }
    open.set(key, count + 1);
    try {
      return yield* call.next(call.request, context);
    } finally {
      const left = (open.get(key) ?? 1) - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    }
  };
}
