/**
 * Hints that name CLI commands are the adapter's to write, not the domain's or the store's: the
 * store says which id it does not know, and this wrapper, which sits where the CLI's verbs are
 * known, adds the command that helps (`flotilla cluster list`). Only errors the domain marks with
 * a class of their own get a hint; every other error passes unchanged.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';
import { NotFoundError } from '../../common/errors.js';
import { UnknownClusterError } from '../store/ClusterStore.js';

type Handler = (request: unknown, context: unknown) => unknown;

/** `error` with the CLI command that helps added to its message, or `error` itself when none does. */
export function withCommandHint(error: unknown): unknown {
  if (error instanceof UnknownClusterError)
    return new NotFoundError(`${error.message} (flotilla cluster list lists them)`);
  return error;
}

/** `implementation` with each handler's errors given their command hints; streams are mapped while they run. */
export function withCommandHints<S extends CompatServiceDefinition>(
  definition: S,
  implementation: ServiceImplementation<S>,
): ServiceImplementation<S> {
  const methods = ('methods' in definition ? definition.methods : definition) as Record<
    string,
    { responseStream: boolean }
  >;
  const handlers = implementation as unknown as Record<string, Handler>;
  const mapped: Record<string, Handler> = { ...handlers };
  const rethrow = (error: unknown): never => {
    throw withCommandHint(error);
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
