/**
 * How a job manager on Kubernetes removes its cluster when it ends itself (its lease expired: no
 * control plane is left to do it). It deletes its own pod, the owner every other object of the
 * cluster names, through the API server with its pod's service account token (in-cluster
 * config), and garbage collection removes the task executor pods, the Service and the Secret, as
 * Flink's job manager deletes its Deployment when its application ends. The service account needs
 * `get` and `delete` on pods in its namespace (docs/kubernetes.md gives the Role); without them the
 * deletion is refused, the error says so, and the pods stay until someone deletes the job
 * manager's pod.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { statusCodeOf } from './ResourceWatch.js';

/** Where Kubernetes mounts a pod's service account token, CA and namespace (clusterObjects.ts mounts them there). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How long the deletion is tried, in milliseconds, before the job manager gives up and exits. */
const TRY_FOR_MS = 15_000;

/** Deletes pod `podName` of this pod's namespace with the in-cluster config; resolves true once it is deleted (or gone). */
export async function deleteOwnerPod(podName: string, logger: Logger): Promise<boolean> {
  const serviceAccountDir = SERVICE_ACCOUNT_DIR;
  const namespaceFile = `${serviceAccountDir}/namespace`;
  if (!existsSync(namespaceFile)) {
    logger.error(
      { podName, serviceAccountDir },
      `cannot delete the cluster's owner pod ${podName}: no service account is mounted at ${serviceAccountDir}; its objects stay until someone deletes that pod`,
    );
    return false;
  }
  const namespace = readFileSync(namespaceFile, 'utf8').trim();
  const config = new KubeConfig();
  config.loadFromCluster();
  const core = config.makeApiClient(CoreV1Api);
  const deadline = Date.now() + TRY_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await core.deleteNamespacedPod({ name: podName, namespace, propagationPolicy: 'Background' });
      logger.info(
        { podName, namespace },
        `deleted the cluster's owner pod ${namespace}/${podName}; garbage collection removes the rest of the cluster`,
      );
      return true;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404) return true;
      if (status === 401 || status === 403) {
        logger.error(
          { err: error, podName, namespace },
          `the job manager's service account may not delete its pod ${namespace}/${podName} (HTTP ${status}): bind it to a Role with get and delete on pods (docs/kubernetes.md); the cluster's objects stay until someone deletes that pod`,
        );
        return false;
      }
      if (Date.now() > deadline) {
        logger.error(
          { err: error, podName, namespace, attempt },
          `could not delete the cluster's owner pod ${namespace}/${podName}`,
        );
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * attempt)));
    }
  }
}
