/**
 * The gRPC adapter of the control plane: maps ClusterClientService messages to the domain
 * (artifact store, and later applications, clusters and events) and back. It holds no state and
 * no logic of its own; RPCs of later milestones answer UNIMPLEMENTED until they land.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceImplementation,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import type { ArtifactStore } from '../blob/ArtifactStore.js';
import { toArtifactMessage } from '../rpc/blob/artifactMessages.js';
import { uploadArtifactHandler } from '../rpc/blob/uploadArtifactHandler.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';

/** What the adapter needs from the control plane. */
export interface ClusterClientServiceDependencies {
  artifacts: ArtifactStore;
}

/** Creates the ClusterClientService implementation. */
export function clusterClientService(deps: ClusterClientServiceDependencies): HostedService {
  const implemented: Partial<ClusterClientServiceImplementation<CallContext>> = {
    uploadArtifact: uploadArtifactHandler(deps.artifacts),

    async getArtifact(request) {
      return { artifact: toArtifactMessage(deps.artifacts.get(request.artifactId)) };
    },
  };
  return {
    definition: ClusterClientServiceDefinition,
    implementation: withUnimplemented(ClusterClientServiceDefinition, implemented),
  } as HostedService;
}
