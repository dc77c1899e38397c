/**
 * Wraps every handler of a service so that a failure to write the control plane's state (its disk
 * full, read-only or failing) answers with the status and message of {@link stateWriteErrorOf}
 * instead of INTERNAL: a caller learns that the state cannot be written and what to do about it.
 * Reads keep working, since they write nothing.
 */
import type { CompatServiceDefinition, ServiceImplementation } from 'nice-grpc';
import { stateWriteErrorOf } from '../store/stateWriteError.js';
import { mapHandlerErrors } from './mapHandlerErrors.js';

/** `error` as the state write failure it is (naming the state dir), or `error` itself. */
export function withStateWriteError(error: unknown, stateDir: string): unknown {
  return stateWriteErrorOf(error, stateDir) ?? error;
}

/** `implementation` with each handler's state write failures mapped; streams are mapped while they run. */
export function withStateWriteErrors<S extends CompatServiceDefinition>(
  definition: S,
  implementation: ServiceImplementation<S>,
  stateDir: string,
): ServiceImplementation<S> {
  return mapHandlerErrors(definition, implementation, (error) => withStateWriteError(error, stateDir));
}
