/**
 * Test support: completes a partial service implementation, for a test server that serves only the
 * RPCs its test calls; every other RPC answers UNIMPLEMENTED with a message saying so. Services that
 * ship go through `hostedService` (src/rpc/hostedService.ts), which requires a handler for every RPC.
 */
import { ServerError, Status, type ServiceImplementation } from 'nice-grpc';
import type { CompatServiceDefinition } from 'nice-grpc';

type AnyMethod = { path?: string; name?: string; requestStream: boolean; responseStream: boolean };

/** Returns `partial` with a handler for every method it lacks, each answering UNIMPLEMENTED. */
export function withUnimplemented<S extends CompatServiceDefinition>(
  definition: S & { fullName?: string },
  partial: Partial<ServiceImplementation<S>>,
): ServiceImplementation<S> {
  const methods = ('methods' in definition ? definition.methods : definition) as Record<string, AnyMethod>;
  const service = (definition as { fullName?: string }).fullName ?? 'service';
  const complete: Record<string, unknown> = { ...partial };
  for (const [key, method] of Object.entries(methods)) {
    if (complete[key] !== undefined) continue;
    const error = () =>
      new ServerError(
        Status.UNIMPLEMENTED,
        `${service}/${method.name ?? key} is not implemented in this version of Flotilla yet`,
      );
    complete[key] = method.responseStream
      ? async function* unimplemented(): AsyncGenerator<never, void> {
          throw error();
        }
      : async () => {
          throw error();
        };
  }
  return complete as ServiceImplementation<S>;
}
