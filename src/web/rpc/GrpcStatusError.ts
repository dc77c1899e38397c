/** A gRPC status other than OK, as the dashboard's calls report it. */

/** The names of gRPC's status codes, by code. */
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** gRPC's status codes the dashboard acts on. */
export const StatusCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The name of status `code` ("NOT_FOUND"), or the number for one gRPC does not define. */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}

/** A call ended with a status other than OK; `message` is the server's grpc-message. */
export class GrpcStatusError extends Error {
  override name = 'GrpcStatusError';

  constructor(
    readonly code: number,
    readonly grpcMessage: string,
  ) {
    super(`${statusName(code)}: ${grpcMessage}`);
  }
}
