/**
 * The gRPC adapter of the control plane: maps ClusterClientService messages to the domain
 * (artifact store, applications, clusters and their events) and back. It holds no state and no
 * logic of its own; RPCs of later milestones answer UNIMPLEMENTED until they land.
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
import { applicationHandlers } from './service/applicationHandlers.js';
import { clusterHandlers } from './service/clusterHandlers.js';
import { logHandlers } from './service/logHandlers.js';
import { jobHandlers } from './service/jobHandlers.js';
import type { TenantViews } from './tenants/TenantView.js';
import { withStateWriteErrors } from './service/withStateWriteErrors.js';
import { withSharedResponses } from './service/sharedResponses.js';
import { withCommandHints } from './service/withCommandHints.js';

/** What the adapter needs from the control plane. */
export interface ClusterClientServiceDependencies {
  artifacts: ArtifactStore;
  /** The domain as the tenant of a call sees it (the caller's tenant comes from the call's credentials). */
  views: TenantViews;
  /** The control plane's state dir, named when its disk takes no more writes. */
  stateDir?: string;
}

/** Creates the ClusterClientService implementation. */
export function clusterClientService(deps: ClusterClientServiceDependencies): HostedService {
  const implemented: Partial<ClusterClientServiceImplementation<CallContext>> = {
    uploadArtifact: uploadArtifactHandler(deps.artifacts),

    async getArtifact(request) {
      return { artifact: toArtifactMessage(deps.artifacts.get(request.artifactId)) };
    },

    ...applicationHandlers(deps.views),
    ...clusterHandlers(deps.views),
    ...logHandlers(deps.views),
    ...jobHandlers(deps.views),
  };
  const implementation = withCommandHints(
    ClusterClientServiceDefinition,
    withUnimplemented(ClusterClientServiceDefinition, implemented),
  );
  return {
    // An application's events are encoded once for all of its watchers.
    definition: withSharedResponses(ClusterClientServiceDefinition, ['watchApplication']),
    implementation:
      deps.stateDir === undefined
        ? implementation
        : withStateWriteErrors(ClusterClientServiceDefinition, implementation, deps.stateDir),
  } as HostedService;
}
