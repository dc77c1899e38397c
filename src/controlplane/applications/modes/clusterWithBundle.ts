/**
 * The first steps of launching an application whose jobs share one cluster (session, application
 * and driver modes): find or deploy its cluster, then put its bundle on the cluster's blob server.
 * A cancellation (`signal`) stops a deployment or upload under way.
 */
import { FailedPreconditionError } from '../../../common/errors.js';
import type { DispatcherGateway } from '../../clusters/DispatcherGateway.js';
import type { Application, DriverResources } from '../../model/Application.js';
import { isTerminalClusterStatus, type Cluster } from '../../model/Cluster.js';
import { ownedClusterSpec } from './ownedClusterSpec.js';
import type { ModeServices } from './SubmissionModeStrategy.js';
import { uploadApplicationBundle } from './uploadApplicationBundle.js';

/** The application's cluster, which has its bundle. */
export interface ClusterWithBundle {
  cluster: Cluster;
  gateway: DispatcherGateway;
  /** The application as recorded with its cluster. */
  application: Application;
}

/**
 * Finds or deploys the application's cluster (one deployed for it gets room for `main()`'s slot,
 * `mainSlot`) and uploads the bundle to it.
 */
export async function clusterWithBundle(
  application: Application,
  mainSlot: DriverResources,
  services: ModeServices,
  signal: AbortSignal,
): Promise<ClusterWithBundle> {
  const { applications, clusters, artifacts } = services;
  const cluster = await clusterFor(application, mainSlot, services, signal);
  const gateway = await clusters.gateway(cluster.id);
  const recorded = await applications.get(application.id);
  await uploadApplicationBundle(artifacts, gateway, recorded, signal);
  signal.throwIfAborted();
  return { cluster, gateway, application: recorded };
}

/**
 * The cluster the application runs on: the one it has when its launch is resumed after a restart
 * (a new one when the restart interrupted the deployment of its own), or one found or deployed for it.
 */
async function clusterFor(
  application: Application,
  mainSlot: DriverResources,
  { clusters, applications }: ModeServices,
  signal: AbortSignal,
): Promise<Cluster> {
  if (application.clusterId) {
    const cluster = await clusters.get(application.clusterId);
    if (cluster.status === 'RUNNING') return cluster;
    if (!application.ownsCluster || !isTerminalClusterStatus(cluster.status))
      throw new FailedPreconditionError(`its cluster ${cluster.id} is ${cluster.status}`);
  }
  const target = application.target;
  switch (target.kind) {
    case 'deploy':
      return clusters.deployOwned(
        application,
        ownedClusterSpec(target.spec, mainSlot, clusters.taskExecutorDefaults),
        signal,
      );
    case 'cluster': {
      const cluster = await clusters.useShared(target.clusterId, application.tenant);
      await applications.update(application.id, { clusterId: cluster.id });
      return cluster;
    }
    case 'jobmanager': {
      const cluster = await clusters.useExternal(target.address, application.tenant, signal);
      await applications.update(application.id, { clusterId: cluster.id });
      return cluster;
    }
  }
}
