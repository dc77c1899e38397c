/**
 * The one way the control plane's adapter rewrites the errors of a service's handlers before the
 * error middleware turns them into statuses: every handler wrapped once, unary answers through
 * their promise, streams while they run. The rewrites themselves (state write failures, command
 * hints) are plain functions of an error, composed by the caller into one wrapper, so a stream's
 * messages pass through one generator layer however many rewrites there are.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';

type Handler = (request: unknown, context: unknown) => unknown;

/** `implementation` with each handler's thrown error replaced by `map(error)`. */
export function mapHandlerErrors<S extends CompatServiceDefinition>(
  definition: S,
  implementation: ServiceImplementation<S>,
  map: (error: unknown) => unknown,
): ServiceImplementation<S> {
  const methods = ('methods' in definition ? definition.methods : definition) as Record<
    string,
    { responseStream: boolean }
  >;
  const handlers = implementation as unknown as Record<string, Handler>;
  const mapped: Record<string, Handler> = { ...handlers };
  const rethrow = (error: unknown): never => {
    throw map(error);
  };
  for (const [key, method] of Object.entries(methods)) {
    const handler = handlers[key];
    if (!handler) continue;
    mapped[key] = method.responseStream
      ? async function* (request, context) {
          try {
            yield* handler(request, context) as AsyncIterable<unknown>;
          } catch (error) {
            rethrow(error);
          }
        }
      : (request, context) => (async () => handler(request, context))().catch(rethrow);
  }
  return mapped as unknown as ServiceImplementation<S>;
}
