/**
 * Server middleware that turns whatever a handler throws into a proper status. Domain errors keep
 * their message; anything unexpected is logged with its stack and answered INTERNAL with a generic
 * message, so no internal detail leaks to callers and no request can crash the server. A message
 * longer than {@link MAX_STATUS_MESSAGE_CHARS} is cut: it travels in an HTTP/2 trailer, and one that
 * quotes a huge request field would not fit, leaving the call (and its connection) without a status.
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
      if (error instanceof ServerError) throw error.details.length > MAX_STATUS_MESSAGE_CHARS ? new ServerError(error.code, bounded(error.details)) : error;
      if (error instanceof FlotillaError) throw new ServerError(statusOf(error), bounded(error.message));
      if (isAbortError(error) && context.signal.aborted) throw error;
      logger.error({ err: error, method: call.method.path }, 'unexpected error in a request handler');
      throw new ServerError(Status.INTERNAL, `internal error in ${call.method.path}; the server log has the details`);
    }
  };
}

/** `message`, cut to {@link MAX_STATUS_MESSAGE_CHARS} characters with a note of how much was left out. */
function bounded(message: string): string {
  if (message.length <= MAX_STATUS_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_STATUS_MESSAGE_CHARS)}… (${message.length - MAX_STATUS_MESSAGE_CHARS} more characters)`;
}
