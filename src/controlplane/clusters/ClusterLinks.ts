/**
 * The control plane's live links to its clusters, held in memory: a handle from the deployment
 * target (members' liveness, teardown), one Dispatcher connection per cluster, and one follower of
 * each cluster's job events. After a restart, handles are attached again by the deployment target's
 * reference recorded with each cluster.
 */
import type { Logger } from '../../common/logger.js';
import type { ClusterHandle, DeploymentTarget } from '../../deployment/DeploymentTarget.js';
import { FailedPreconditionError } from '../../common/errors.js';
import type { Cluster } from '../model/Cluster.js';
import { ClusterFollower } from './ClusterFollower.js';
import type { ClusterLeaseRenewals } from './ClusterLeaseRenewals.js';
import type { ClusterRecorder } from './ClusterRecorder.js';
import type { ConnectDispatcher, DispatcherGateway } from './DispatcherGateway.js';
import { jobManagerExit } from './jobManagerExit.js';

/** What the links need. */
export interface ClusterLinksOptions {
  recorder: ClusterRecorder;
  target: DeploymentTarget;
  connect: ConnectDispatcher;
  logger: Logger;
  /** How long a job manager may be unreachable before its cluster counts as lost. */
  lossTimeoutMs?: number;
  /** The leases held on clusters deployed for applications; none when not given (such clusters get no lease). */
  leaseRenewals?: ClusterLeaseRenewals;
}

/** Handles, connections and followers of clusters. */
export class ClusterLinks {
  private readonly handles = new Map<string, ClusterHandle>();
  private readonly gateways = new Map<string, DispatcherGateway>();
  private readonly followers = new Map<string, ClusterFollower>();
  /** Stops following the members of each cluster whose target tells what happens to them. */
  private readonly memberFollowers = new Map<string, () => void>();
  private closed = false;

  constructor(private readonly options: ClusterLinksOptions) {}

  /** The Dispatcher of a cluster, over one connection per cluster. */
  async gateway(clusterId: string): Promise<DispatcherGateway> {
    return this.gateways.get(clusterId) ?? this.gatewayOf(await this.options.recorder.get(clusterId));
  }

  /** The Dispatcher of a cluster as recorded, over one connection per cluster. */
  gatewayOf(cluster: Cluster): DispatcherGateway {
    let gateway = this.gateways.get(cluster.id);
    if (!gateway) {
      if (!cluster.jobmanagerAddress)
        throw new FailedPreconditionError(`cluster ${cluster.id} has no job manager address yet`);
      const { target } = this.options;
      const serverName =
        cluster.deploymentTarget === target.name
          ? target.tlsServerName?.({ clusterId: cluster.id, reference: cluster.deploymentReference })
          : undefined;
      gateway = this.options.connect(cluster.jobmanagerAddress, cluster.clusterSecret || undefined, serverName);
      this.gateways.set(cluster.id, gateway);
    }
    return gateway;
  }

  /** Keeps the handle of a cluster just deployed. */
  keep(clusterId: string, handle: ClusterHandle): void {
    this.handles.set(clusterId, handle);
  }

  /** The handle of a cluster the target deployed: the one kept, or one attached by the target's recorded reference. */
  handle(cluster: Cluster): ClusterHandle {
    let handle = this.handles.get(cluster.id);
    if (!handle) {
      handle = this.options.target.attach({
        clusterId: cluster.id,
        reference: cluster.deploymentReference,
        clusterSecret: cluster.clusterSecret || undefined,
      });
      this.handles.set(cluster.id, handle);
    }
    return handle;
  }

  /**
   * Renews the lease of a cluster deployed for an application (once per cluster, until it is
   * forgotten); nothing for shared and external clusters, which have none, or without leases.
   */
  holdLease(cluster: Cluster): void {
    if (!cluster.ownerApplicationId || cluster.deploymentTarget === 'external' || this.closed) return;
    this.options.leaseRenewals?.hold(cluster.id, this.gatewayOf(cluster));
  }

  /** Follows the cluster's job events from the last one consumed (once); `onGone` when its job manager is gone for good. */
  follow(cluster: Cluster, onGone: (reason: string) => void): void {
    if (this.followers.has(cluster.id) || this.closed) return;
    const { recorder, logger } = this.options;
    const handle = cluster.deploymentTarget !== 'external' ? this.handle(cluster) : undefined;
    const follower = new ClusterFollower({
      clusterId: cluster.id,
      gateway: this.gatewayOf(cluster),
      afterSequence: cluster.lastJobEventSequence,
      handle: (event) => recorder.consume(cluster, event),
      jobManagerExit: () => (handle ? jobManagerExit(handle) : undefined),
      onGone: (reason) => {
        this.followers.delete(cluster.id);
        this.memberFollowers.get(cluster.id)?.();
        this.memberFollowers.delete(cluster.id);
        onGone(reason);
      },
      logger: logger.child({ clusterId: cluster.id }),
      lossTimeoutMs: this.options.lossTimeoutMs,
    });
    this.followers.set(cluster.id, follower);
    follower.start();
    // Followed after a restart too: the lease is renewed by whichever control plane follows the cluster.
    this.holdLease(cluster);
    // What the target sees of the members (a pod OOM-killed, deleted) becomes a note on the cluster.
    const stopMembers = handle?.followMembers?.((message) => {
      recorder
        .change(cluster.id, {}, message)
        .catch((error: unknown) =>
          logger.warn({ err: error, clusterId: cluster.id }, 'a note on a member of the cluster was not recorded'),
        );
    });
    if (stopMembers) this.memberFollowers.set(cluster.id, stopMembers);
  }

  /** Stops following a cluster; resolves once its event stream is closed. */
  async unfollow(clusterId: string): Promise<void> {
    this.memberFollowers.get(clusterId)?.();
    this.memberFollowers.delete(clusterId);
    const follower = this.followers.get(clusterId);
    if (!follower) return;
    this.followers.delete(clusterId);
    await follower.stop();
  }

  /** Drops the handle and closes the connection of a cluster that has ended. */
  forget(clusterId: string): void {
    this.options.leaseRenewals?.release(clusterId);
    this.handles.delete(clusterId);
    this.gateways.get(clusterId)?.close();
    this.gateways.delete(clusterId);
  }

  /** Stops every follower and closes every connection; clusters keep running. */
  async close(): Promise<void> {
    this.closed = true;
    this.options.leaseRenewals?.close();
    await Promise.all([...this.followers.keys()].map((clusterId) => this.unfollow(clusterId)));
    for (const stop of this.memberFollowers.values()) stop();
    this.memberFollowers.clear();
    for (const gateway of this.gateways.values()) gateway.close();
    this.gateways.clear();
  }
}
