/**
 * Server middleware that turns whatever a handler throws into a proper status. Domain errors keep
 * their message; anything unexpected is logged with its stack and answered INTERNAL with a generic
 * message, so no internal detail leaks to callers and no request can crash the server. Messages
 * travel percent-encoded in an HTTP/2 trailer, so two kinds are repaired first: one longer than
 * {@link MAX_STATUS_MESSAGE_CHARS} is cut (quoting a huge request field, it would not fit, leaving
 * the call and its connection without a status), and a lone UTF-16 surrogate (a quoted field cut in
 * the middle of a character) becomes U+FFFD (grpc-js's encodeURI throws on it, an uncaught
 * exception that ends the process).
 */
import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc';
import { FlotillaError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { statusOf } from './statusMapping.js';

/** The longest status message sent, in characters (percent-encoded, up to 12 bytes each in the trailer). */
export const MAX_STATUS_MESSAGE_CHARS = 1024;

/** Creates the error-mapping middleware; unexpected errors are logged on `logger`. */
export function errorMiddleware(logger: Logger): ServerMiddleware {
  return async function* mapErrors(call, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError)
        throw sendable(error.details) === error.details ? error : new ServerError(error.code, sendable(error.details));
      if (error instanceof FlotillaError) throw new ServerError(statusOf(error), sendable(error.message));
      if (isAbortError(error) && context.signal.aborted) throw error;
      logger.error({ err: error, method: call.method.path }, 'unexpected error in a request handler');
      throw new ServerError(Status.INTERNAL, `internal error in ${call.method.path}; the server log has the details`);
    }
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `message` as it can be sent: cut to {@link MAX_STATUS_MESSAGE_CHARS} characters (saying how many were left out) and well-formed. */
function sendable(message: string): string {
  const cut =
    message.length <= MAX_STATUS_MESSAGE_CHARS
      ? message
      : `${message.slice(0, MAX_STATUS_MESSAGE_CHARS)}… (${message.length - MAX_STATUS_MESSAGE_CHARS} more characters)`;
  return cut.replace(LONE_SURROGATE, '\uFFFD');
}
