/**
 * The driver log RPC of ClusterClientService (ReadDriverLog): proto in, the domain's stored driver
 * log out, piece by piece; following streams end with the application. Statuses come from the
 * domain errors (NOT_FOUND, OUT_OF_RANGE) mapped by the server's middleware.
 */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { toSafeNumber } from '../../rpc/longs.js';
import { callerOf } from '../../rpc/security/Caller.js';
import type { TenantViews } from '../tenants/TenantView.js';
import type { DriverLogStream } from '../store/DriverLogStore.js';

type LogRpcs = Pick<ClusterClientServiceImplementation<CallContext>, 'readDriverLog'>;

const STREAMS: Record<DriverLogStream, LogStream> = {
  STDOUT: LogStream.STDOUT,
  STDERR: LogStream.STDERR,
  LOGGER: LogStream.LOGGER,
};

/** The driver log RPCs over the caller's tenant's view. */
export function logHandlers(views: TenantViews): LogRpcs {
  return {
    async *readDriverLog(request, context) {
      if (!request.applicationId) throw new InvalidArgumentError('application_id is required');
      const pieces = await views(callerOf(context).tenant).readDriverLog({
        applicationId: request.applicationId,
        offset: toSafeNumber(request.offset, 'offset'),
        follow: request.follow,
        signal: context.signal,
      });
      for await (const piece of pieces) {
        yield {
          offset: BigInt(piece.offset),
          data: piece.data,
          stream: STREAMS[piece.stream],
          nextOffset: BigInt(piece.nextOffset),
        };
      }
    },
  };
}
