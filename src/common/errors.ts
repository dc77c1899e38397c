/**
 * Domain errors. Domain code throws these; `src/rpc` maps each class to one gRPC status in one
 * place, and the client maps statuses back to these classes, so neither side deals in codes.
 */

/** The base of every error Flotilla raises on purpose; its message is safe to show to a caller. */
export class FlotillaError extends Error {
  override name = 'FlotillaError';
}

/** The caller sent something malformed or contradictory (INVALID_ARGUMENT). */
export class InvalidArgumentError extends FlotillaError {
  override name = 'InvalidArgumentError';
}

/** The thing named does not exist (NOT_FOUND). */
export class NotFoundError extends FlotillaError {
  override name = 'NotFoundError';
}

/** The thing to be created exists already (ALREADY_EXISTS). */
export class AlreadyExistsError extends FlotillaError {
  override name = 'AlreadyExistsError';
}

/** The request is not allowed in the current state (FAILED_PRECONDITION). */
export class FailedPreconditionError extends FlotillaError {
  override name = 'FailedPreconditionError';
}

/** A limit was reached: no slot, too large, too many (RESOURCE_EXHAUSTED). */
export class ResourceExhaustedError extends FlotillaError {
  override name = 'ResourceExhaustedError';
}

/** The service cannot answer now, for instance because it is shutting down (UNAVAILABLE). */
export class UnavailableError extends FlotillaError {
  override name = 'UnavailableError';
}

/** A cursor points before what is still kept (OUT_OF_RANGE). */
export class OutOfRangeError extends FlotillaError {
  override name = 'OutOfRangeError';
}

/** The caller did not prove who it is: no credentials, or unknown ones (UNAUTHENTICATED). */
export class UnauthenticatedError extends FlotillaError {
  override name = 'UnauthenticatedError';
}

/** The feature exists in the contract but not yet in this build (UNIMPLEMENTED). */
export class NotImplementedError extends FlotillaError {
  override name = 'NotImplementedError';
}
