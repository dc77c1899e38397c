/**
 * The one place where domain errors become gRPC statuses (server side) and statuses become
 * domain errors again (client side), so each condition has exactly one code everywhere.
 */
import { Status } from 'nice-grpc-common';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  FlotillaError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  OutOfRangeError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '../common/errors.js';

type ErrorClass = new (message: string) => FlotillaError;

const CODES: ReadonlyArray<readonly [ErrorClass, Status]> = [
  [InvalidArgumentError, Status.INVALID_ARGUMENT],
  [NotFoundError, Status.NOT_FOUND],
  [AlreadyExistsError, Status.ALREADY_EXISTS],
  [FailedPreconditionError, Status.FAILED_PRECONDITION],
  [ResourceExhaustedError, Status.RESOURCE_EXHAUSTED],
  [UnavailableError, Status.UNAVAILABLE],
  [OutOfRangeError, Status.OUT_OF_RANGE],
  [NotImplementedError, Status.UNIMPLEMENTED],
  [UnauthenticatedError, Status.UNAUTHENTICATED],
];

/** The status a domain error is sent as; INTERNAL for anything unexpected. */
export function statusOf(error: FlotillaError): Status {
  return CODES.find(([type]) => error instanceof type)?.[1] ?? Status.INTERNAL;
}

/** The domain error a received status stands for, with `message` (a FlotillaError for codes without a class of their own). */
export function domainErrorOf(code: Status, message: string): FlotillaError {
  const ErrorClass = CODES.find(([, status]) => status === code)?.[0] ?? FlotillaError;
  return new ErrorClass(message);
}
