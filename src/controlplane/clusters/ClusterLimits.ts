/**
 * A tenant's limits on what costs machines: how many clusters this control plane may have deployed
 * for it at once (shared ones, those an application owns, and each per-job cluster alike: every
 * one is a job manager and its task executors), and how many task executors those clusters may ask
 * for together. Clusters deploying or running count; external clusters (`-m HOST:PORT`) were
 * started by someone else and do not, nor do clusters being stopped or ended.
 * Checked in the unit of work that records a new cluster, so two deployments at once cannot both
 * take the last place; a refusal is RESOURCE_EXHAUSTED naming the setting and the tenant.
 */
import { ResourceExhaustedError } from '../../common/errors.js';
import type { ClusterSpec } from '../model/Cluster.js';
import type { StoreScope } from '../store/ControlPlaneStore.js';

/** One limit and the setting that sets it (for the refusal's message). */
export interface TenantLimit {
  max: number;
  /** Such as "--max-clusters-per-tenant" or "max_clusters of tenant team-a in the auth config". */
  setting: string;
}

/** A tenant's limits on clusters; a limit not given does not apply. */
export interface ClusterLimits {
  /** The most clusters deployed for the tenant that have not ended. */
  clusters?: TenantLimit;
  /** The most task executors those clusters ask for together. */
  taskExecutors?: TenantLimit;
}

/** The limits of a tenant, or undefined for none. */
export type ClusterLimitsOf = (tenant: string) => ClusterLimits | undefined;

/**
 * RESOURCE_EXHAUSTED naming the setting when one more cluster of `spec` would take `tenant` past a
 * limit; counted through `tx`, which should be the unit that records the cluster.
 */
export async function checkClusterLimits(
  tx: StoreScope,
  tenant: string,
  spec: Pick<ClusterSpec, 'taskExecutors'>,
  limits: ClusterLimits | undefined,
): Promise<void> {
  if (!limits?.clusters && !limits?.taskExecutors) return;
  const live = await tx.clusters.countLive(tenant);
  const who = tenant ? `tenant ${tenant}` : 'this control plane';
  const { clusters, taskExecutors } = limits;
  if (clusters && live.clusters + 1 > clusters.max) {
    throw new ResourceExhaustedError(
      `${who} already has ${live.clusters} cluster(s) deployed, the most it may (${clusters.setting}: ${clusters.max}); stop one (flotilla cluster stop ID) or wait for an application to end`,
    );
  }
  if (taskExecutors && live.taskExecutors + spec.taskExecutors > taskExecutors.max) {
    throw new ResourceExhaustedError(
      `${who} has ${live.taskExecutors} task executor(s) in its clusters; ${spec.taskExecutors} more would pass the most it may (${taskExecutors.setting}: ${taskExecutors.max}); ask for fewer task executors, or stop a cluster (flotilla cluster stop ID)`,
    );
  }
}
