/** The cluster RPCs of ClusterClientService: proto in, domain call (through the view of the caller's tenant), proto out. */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { checkText } from '../model/checks.js';
import { checkRequestId } from '../applications/compileSubmission.js';
import { callerOf } from '../../rpc/security/Caller.js';
import type { TenantViews } from '../tenants/TenantView.js';
import { compileClusterSpec } from '../clusters/compileClusterSpec.js';
import { clusterSpecInputFromMessage, clusterToMessage } from './clusterMessages.js';
import { clusterStatusFromMessage } from './enums.js';

type ClusterRpcs = Pick<
  ClusterClientServiceImplementation<CallContext>,
  'deployCluster' | 'getCluster' | 'listClusters' | 'shutDownCluster'
>;

/** Slots per task executor of a shared cluster when the request does not say (as `flotilla taskexecutor`). */
export const SHARED_CLUSTER_DEFAULT_SLOTS = 2;

/** The cluster RPCs over the caller's tenant's view. */
export function clusterHandlers(views: TenantViews): ClusterRpcs {
  return {
    async deployCluster(request, context) {
      const { cluster } = await views(callerOf(context).tenant).deployCluster({
        name: checkText(request.name.trim(), 'name', 200),
        spec: compileClusterSpec(clusterSpecInputFromMessage(request.spec), SHARED_CLUSTER_DEFAULT_SLOTS, 'spec'),
        requestId: checkRequestId(request.requestId),
      });
      return { cluster: clusterToMessage(cluster) };
    },

    async getCluster(request, context) {
      return {
        cluster: clusterToMessage(
          await views(callerOf(context).tenant).getCluster(requireClusterId(request.clusterId)),
        ),
      };
    },

    async listClusters(request, context) {
      const statuses = request.statuses.map((status, index) => clusterStatusFromMessage(status, `statuses[${index}]`));
      const page = await views(callerOf(context).tenant).listClusters({
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        statuses,
      });
      return { clusters: page.clusters.map(clusterToMessage), nextPageToken: page.nextPageToken };
    },

    async shutDownCluster(request, context) {
      return {
        cluster: clusterToMessage(
          await views(callerOf(context).tenant).shutDownCluster(requireClusterId(request.clusterId)),
        ),
      };
    },
  };
}

function requireClusterId(clusterId: string): string {
  if (!clusterId) throw new InvalidArgumentError('cluster_id is required');
  return clusterId;
}
