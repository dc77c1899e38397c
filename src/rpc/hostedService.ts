/**
 * Pairs a service definition with its implementation for {@link startServerHost}. The implementation
 * must have a handler for every RPC of the definition: a handler forgotten, or an RPC added to the
 * contract without one, fails to compile instead of reaching a caller as a missing method.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';
import type { HostedService } from './serverHost.js';

/** A service to serve: `definition` and a complete `implementation` of it. */
export function hostedService<S extends CompatServiceDefinition & { fullName: string }>(
  definition: S,
  implementation: ServiceImplementation<S>,
): HostedService {
  return { definition, implementation: implementation as ServiceImplementation<CompatServiceDefinition> };
}
