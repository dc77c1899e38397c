/**
 * Wraps every unary handler of a service so that its answer leaves only once every transaction
 * committed so far is on disk (the store's `durable()`: group commit for SQLite): an accepted submission,
 * cancellation or deployment is durable before the caller hears of it, as with an fsync per
 * commit. Streams are left as they are: the event log and the driver logs wait for durability
 * themselves before each batch they send.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';
import type { HostedService } from '../../rpc/serverHost.js';

type Handler = (request: unknown, context: unknown) => unknown;

/** `implementation` with each unary answer held until `durable()` resolves. */
export function withDurableAnswers<S extends CompatServiceDefinition>(
  definition: S,
  implementation: ServiceImplementation<S>,
  durable: () => Promise<void>,
): ServiceImplementation<S> {
  const methods = ('methods' in definition ? definition.methods : definition) as Record<
    string,
    { responseStream: boolean }
  >;
  const handlers = implementation as unknown as Record<string, Handler>;
  const wrapped: Record<string, Handler> = { ...handlers };
  for (const [key, method] of Object.entries(methods)) {
    const handler = handlers[key];
    if (!handler || method.responseStream) continue;
    wrapped[key] = async (request, context) => {
      const response = await handler(request, context);
      await durable();
      return response;
    };
  }
  return wrapped as unknown as ServiceImplementation<S>;
}

/** `service` with its unary answers held until `durable()` resolves. */
export function withDurableService(service: HostedService, durable: () => Promise<void>): HostedService {
  return {
    ...service,
    implementation: withDurableAnswers(service.definition, service.implementation as never, durable),
  } as HostedService;
}
