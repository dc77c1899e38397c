/**
 * Tells, from a failed call, whether its replica of the control plane was lost, and whether the
 * call may have reached it. A client that knows several replicas (see `controlPlaneClient.ts`)
 * sends a call to the next one only when that cannot do a thing twice:
 *
 * - `unreachable`: no connection could be made (refused, no route, name unknown), so the request was
 *   never sent. Any call may go to another replica.
 * - `lost`: the replica answered UNAVAILABLE, or its connection broke under the call (it is shutting
 *   down, was killed, lost its database). The request may have been acted on, so only a call that
 *   is safe to repeat goes to another replica: a read, a watch resumed by its cursor, a submission
 *   carrying its request id.
 */
import { ClientError, Status } from 'nice-grpc-common';

/** How a call's replica was lost, or undefined when the failure is the call's own answer. */
export type ReplicaFailure = 'unreachable' | 'lost';

/** grpc-js's words for a call that found no connection to send it on. */
const NEVER_SENT =
  /No connection established|Failed to connect|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

/** What became of the replica a call failed on (see the module's header). */
export function replicaFailureOf(error: unknown): ReplicaFailure | undefined {
  if (!(error instanceof ClientError) || error.code !== Status.UNAVAILABLE) return undefined;
  return NEVER_SENT.test(error.details) ? 'unreachable' : 'lost';
}
