/**
 * Deletes every object of a cluster (its pods, Service and Secret, found by the cluster's label)
 * and waits until no pod of it is left, so that a teardown that resolves leaves nothing running.
 * Garbage collection through the owner references would remove the same objects, but in its own
 * time (tens of seconds were seen); this does not wait for it.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { DeploymentError } from '../DeploymentError.js';
import { clusterSelector } from './clusterObjects.js';
import { statusCodeOf } from './ResourceWatch.js';

/** How long the pods may take to go, in all. */
const GONE_TIMEOUT_MS = 30_000;
/** When pods still there are deleted again, at once. */
const FORCE_AFTER_MS = 8_000;

const ignoreNotFound = (error: unknown) => {
  if (statusCodeOf(error) !== 404) throw error;
};

/** Deletes the cluster's objects, its pods with `graceSeconds` to stop, and resolves once its pods are gone. */
export async function deleteClusterObjects(
  core: CoreV1Api,
  namespace: string,
  clusterId: string,
  graceSeconds: number,
): Promise<void> {
  const labelSelector = clusterSelector(clusterId);
  const deletePods = (gracePeriodSeconds: number) =>
    core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds }).catch(ignoreNotFound);
  await deletePods(graceSeconds);
  // Kubernetes 1.20 has no deletecollection for Services: each is deleted by name.
  const services = await core.listNamespacedService({ namespace, labelSelector });
  await Promise.all(
    services.items.map((service) =>
      core.deleteNamespacedService({ name: service.metadata!.name!, namespace }).catch(ignoreNotFound),
    ),
  );
  await core.deleteCollectionNamespacedSecret({ namespace, labelSelector }).catch(ignoreNotFound);
  const started = Date.now();
  let forced = graceSeconds === 0;
  for (;;) {
    const left = (await core.listNamespacedPod({ namespace, labelSelector })).items;
    if (left.length === 0) return;
    const waited = Date.now() - started;
    if (waited > GONE_TIMEOUT_MS)
      throw new DeploymentError(
        `pods of cluster ${clusterId} are still there ${Math.round(waited / 1000)} s after they were deleted: ${left.map((pod) => pod.metadata?.name).join(', ')}`,
      );
    if (!forced && waited > FORCE_AFTER_MS) {
      forced = true;
      await deletePods(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
