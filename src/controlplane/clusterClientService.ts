/**
 * The gRPC adapter of the control plane: maps ClusterClientService messages to the domain
 * (artifact store, and later applications, clusters and events) and back. It holds no state and
 * no logic of its own; RPCs of later milestones answer UNIMPLEMENTED until they land.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceImplementation,
  type UploadArtifactRequest,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import type { Artifact as ArtifactMessage } from '../../generated/flotilla/v1/resources.js';
import { InvalidArgumentError } from '../common/errors.js';
import { toSafeNumber } from '../rpc/longs.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';
import type { Artifact, ArtifactStore } from './artifactStore.js';

/** What the adapter needs from the control plane. */
export interface ClusterClientServiceDependencies {
  artifacts: ArtifactStore;
}

/** Creates the ClusterClientService implementation. */
export function clusterClientService(deps: ClusterClientServiceDependencies): HostedService {
  const implemented: Partial<ClusterClientServiceImplementation<CallContext>> = {
    async uploadArtifact(requests) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done || first.value.part?.$case !== 'header') {
        throw new InvalidArgumentError('an upload must start with a header message that declares sha256 and size_bytes');
      }
      const header = first.value.part.header;
      const { artifact, alreadyStored } = await deps.artifacts.put(
        { sha256: header.sha256, sizeBytes: toSafeNumber(header.sizeBytes, 'size_bytes'), fileName: header.fileName },
        chunksOf(iterator),
      );
      return { artifact: toArtifactMessage(artifact), alreadyStored };
    },

    async getArtifact(request) {
      return { artifact: toArtifactMessage(deps.artifacts.get(request.artifactId)) };
    },
  };
  return {
    definition: ClusterClientServiceDefinition,
    implementation: withUnimplemented(ClusterClientServiceDefinition, implemented),
  } as HostedService;
}

async function* chunksOf(iterator: AsyncIterator<UploadArtifactRequest>): AsyncGenerator<Uint8Array> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    if (next.value.part?.$case !== 'chunk') throw new InvalidArgumentError('only the first message of an upload may be a header');
    yield next.value.part.chunk;
  }
}

function toArtifactMessage(artifact: Artifact): ArtifactMessage {
  return {
    id: artifact.id,
    sizeBytes: BigInt(artifact.sizeBytes),
    fileName: artifact.fileName,
    createTime: artifact.createdAt,
  };
}
