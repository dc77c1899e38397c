/**
 * DispatcherService.DownloadArtifact: streams a stored bundle to a task executor, a header that
 * declares its sha256 and size first, then chunks read from disk as the client takes them. The
 * read stops when the call is cancelled.
 */
import type { CallContext } from 'nice-grpc-common';
import type {
  DownloadArtifactRequest,
  DownloadArtifactResponse,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { checkArtifactId } from '../artifactId.js';
import type { ArtifactStore } from '../ArtifactStore.js';
import { NotFoundError } from '../../common/errors.js';
import { toArtifactHeader } from './artifactMessages.js';

/** Options of {@link downloadArtifactHandler}. */
export interface DownloadArtifactHandlerOptions {
  /** The size of the chunks sent, in bytes; 256 KiB when not given. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Creates the DownloadArtifact implementation over `store`. An id that is not a lowercase hex
 * sha256 is INVALID_ARGUMENT, an id not stored NOT_FOUND.
 */
export function downloadArtifactHandler(
  store: ArtifactStore,
  options: DownloadArtifactHandlerOptions = {},
): (request: DownloadArtifactRequest, context: CallContext) => AsyncGenerator<DownloadArtifactResponse> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  return async function* downloadArtifact(request, context) {
    checkArtifactId(request.artifactId);
    const artifact = store.find(request.artifactId);
    if (!artifact) {
      throw new NotFoundError(
        `artifact ${request.artifactId} is not stored on this ${store.holder}; upload the bundle to it (UploadArtifact) before running a job that names it`,
      );
    }
    yield { part: { $case: 'header', header: toArtifactHeader(artifact) } };
    for await (const chunk of store.read(artifact.id, { chunkBytes, signal: context.signal })) {
      yield { part: { $case: 'chunk', chunk } };
    }
  };
}
