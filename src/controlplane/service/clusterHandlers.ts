/** The cluster RPCs of ClusterClientService: proto in, domain call, proto out. */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { checkText } from '../applications/checks.js';
import { checkRequestId } from '../applications/compileSubmission.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import { compileClusterSpec } from '../clusters/compileClusterSpec.js';
import { clusterSpecInputFromMessage, clusterToMessage } from './clusterMessages.js';
import { clusterStatusFromMessage } from './enums.js';

type ClusterRpcs = Pick<ClusterClientServiceImplementation<CallContext>, 'deployCluster' | 'getCluster' | 'listClusters' | 'shutDownCluster'>;

/** Slots per task executor of a shared cluster when the request does not say (as `flotilla taskexecutor`). */
export const SHARED_CLUSTER_DEFAULT_SLOTS = 2;

/** The cluster RPCs over `clusters`. */
export function clusterHandlers(clusters: ClusterManager): ClusterRpcs {
  return {
    async deployCluster(request) {
      const { cluster } = clusters.deployShared({
        name: checkText(request.name.trim(), 'name', 200),
        spec: compileClusterSpec(clusterSpecInputFromMessage(request.spec), SHARED_CLUSTER_DEFAULT_SLOTS, 'spec'),
        requestId: checkRequestId(request.requestId),
      });
      return { cluster: clusterToMessage(cluster) };
    },

    async getCluster(request) {
      return { cluster: clusterToMessage(clusters.get(requireClusterId(request.clusterId))) };
    },

    async listClusters(request) {
      const statuses = request.statuses.map((status, index) => clusterStatusFromMessage(status, `statuses[${index}]`));
      const page = clusters.list({ pageSize: request.pageSize, pageToken: request.pageToken, statuses });
      return { clusters: page.clusters.map(clusterToMessage), nextPageToken: page.nextPageToken };
    },

    async shutDownCluster(request) {
      return { cluster: clusterToMessage(clusters.shutDown(requireClusterId(request.clusterId))) };
    },
  };
}

function requireClusterId(clusterId: string): string {
  if (!clusterId) throw new InvalidArgumentError('cluster_id is required');
  return clusterId;
}
