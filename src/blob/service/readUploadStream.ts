/**
 * Reads the request stream of an UploadArtifact call (ClusterClientService and DispatcherService
 * have the same shape): the header first, declaring sha256, size and file name, then chunks.
 */
import type { ArtifactHeader } from '../../../generated/flotilla/v1/common.js';
import type { ArtifactDeclaration } from '../Artifact.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { toSafeNumber } from '../../rpc/longs.js';

/** One message of an upload, as both services' generated request types have it. */
export interface UploadPart {
  part?: { $case: 'header'; header: ArtifactHeader } | { $case: 'chunk'; chunk: Uint8Array } | undefined;
}

/** An upload split into what the client declared and the bytes that follow. */
export interface UploadStream {
  declaration: ArtifactDeclaration;
  /** The bytes; a second header among them is INVALID_ARGUMENT. Not read at all when not needed. */
  chunks: AsyncIterable<Uint8Array>;
}

/** Reads the header of `requests`; INVALID_ARGUMENT when the stream does not start with one. */
export async function readUploadStream(requests: AsyncIterable<UploadPart>): Promise<UploadStream> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.part?.$case !== 'header') {
    throw new InvalidArgumentError('an upload must start with a header message that declares sha256 and size_bytes');
  }
  const header = first.value.part.header;
  return {
    declaration: {
      sha256: header.sha256,
      sizeBytes: toSafeNumber(header.sizeBytes, 'size_bytes'),
      fileName: header.fileName,
    },
    chunks: chunksOf(iterator),
  };
}

async function* chunksOf(iterator: AsyncIterator<UploadPart>): AsyncGenerator<Uint8Array> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    if (next.value.part?.$case !== 'chunk')
      throw new InvalidArgumentError('only the first message of an upload may be a header');
    yield next.value.part.chunk;
  }
}
