/**
 * The gRPC adapter of the control plane: maps ClusterClientService messages to the domain
 * (artifact store, applications, clusters and their events) and back. It holds no state and no
 * logic of its own. Every RPC has a handler: a missing one does not compile.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceImplementation,
} from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import { toArtifactMessage } from '../../blob/service/artifactMessages.js';
import { uploadArtifactHandler } from '../../blob/service/uploadArtifactHandler.js';
import type { HostedService } from '../../rpc/serverHost.js';
import { applicationHandlers } from './applicationHandlers.js';
import { clusterHandlers } from './clusterHandlers.js';
import { logHandlers } from './logHandlers.js';
import { jobHandlers } from './jobHandlers.js';
import type { ControlPlaneMetrics } from '../metrics/ControlPlaneMetrics.js';
import type { TenantViews } from '../tenants/TenantView.js';
import { withStateWriteError } from './withStateWriteErrors.js';
import { withSharedResponses } from './sharedResponses.js';
import { withCommandHint } from './withCommandHints.js';
import { mapHandlerErrors } from './mapHandlerErrors.js';

/** What the adapter needs from the control plane. */
export interface ClusterClientServiceDependencies {
  artifacts: ArtifactStore;
  /** The domain as the tenant of a call sees it (the caller's tenant comes from the call's credentials). */
  views: TenantViews;
  /** The control plane's state dir, named when its disk takes no more writes. */
  stateDir?: string;
  /** Where submissions and watches are counted; nowhere when not given. */
  metrics?: ControlPlaneMetrics;
}

/** Creates the ClusterClientService implementation. */
export function clusterClientService(deps: ClusterClientServiceDependencies): HostedService {
  const implemented: ClusterClientServiceImplementation<CallContext> = {
    uploadArtifact: uploadArtifactHandler(deps.artifacts),

    async getArtifact(request) {
      // Another replica may have stored it since this one loaded the catalog.
      await deps.artifacts.refresh(request.artifactId);
      return { artifact: toArtifactMessage(deps.artifacts.get(request.artifactId)) };
    },

    ...applicationHandlers(deps.views, deps.metrics),
    ...clusterHandlers(deps.views),
    ...logHandlers(deps.views),
    ...jobHandlers(deps.views),
  };
  // Errors of the domain name ids only: the adapter adds the CLI command that lists them, and says
  // so when the state could not be written (one wrapper for both, so a stream has one more layer, not two).
  const { stateDir } = deps;
  const implementation = mapHandlerErrors(ClusterClientServiceDefinition, implemented, (error) =>
    stateDir === undefined ? withCommandHint(error) : withStateWriteError(withCommandHint(error), stateDir),
  );
  return {
    // An application's events are encoded once for all of its watchers.
    definition: withSharedResponses(ClusterClientServiceDefinition, ['watchApplication']),
    implementation,
  } as HostedService;
}
