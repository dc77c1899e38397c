/**
 * Server middleware that turns whatever a handler throws into a proper status. Domain errors keep
 * their message; anything unexpected is logged with its stack and answered INTERNAL with a generic
 * message, so no internal detail leaks to callers and no request can crash the server.
 */
import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc';
import { FlotillaError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { statusOf } from './statusMapping.js';

/** Creates the error-mapping middleware; unexpected errors are logged on `logger`. */
export function errorMiddleware(logger: Logger): ServerMiddleware {
  return async function* mapErrors(call, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      if (error instanceof FlotillaError) throw new ServerError(statusOf(error), error.message);
      if (isAbortError(error) && context.signal.aborted) throw error;
      logger.error({ err: error, method: call.method.path }, 'unexpected error in a request handler');
      throw new ServerError(Status.INTERNAL, `internal error in ${call.method.path}; the server log has the details`);
    }
  };
}
