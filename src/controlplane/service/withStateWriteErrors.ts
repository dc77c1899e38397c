/**
 * Wraps every handler of a service so that a failure to write the control plane's state (its disk
 * full, read-only or failing) answers with the status and message of {@link stateWriteErrorOf}
 * instead of INTERNAL: a caller learns that the state cannot be written and what to do about it.
 * Reads keep working, since they write nothing.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';
import { stateWriteErrorOf } from '../store/stateWriteError.js';

type Handler = (request: unknown, context: unknown) => unknown;

/** `implementation` with each handler's state write failures mapped; streams are mapped while they run. */
export function withStateWriteErrors<S extends CompatServiceDefinition>(
  definition: S,
  implementation: ServiceImplementation<S>,
  stateDir: string,
): ServiceImplementation<S> {
  const methods = ('methods' in definition ? definition.methods : definition) as Record<
    string,
    { responseStream: boolean }
  >;
  const handlers = implementation as unknown as Record<string, Handler>;
  const mapped: Record<string, Handler> = { ...handlers };
  const rethrow = (error: unknown): never => {
    throw stateWriteErrorOf(error, stateDir) ?? error;
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
