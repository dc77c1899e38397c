/**
 * Follows the pods of one cluster with the watch API (ResourceWatch.ts: list, watch from its
 * resourceVersion, resume from the last one seen, list again on 410 Gone), never by polling. Every
 * change hands the current pods, by name, to the listener.
 */
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { ResourceWatch } from './ResourceWatch.js';

/** Told the cluster's pods, by name, after each change. */
export type PodListener = (pods: ReadonlyMap<string, V1Pod>) => void;

/** A watch of the pods that match a label selector in a namespace. */
export class PodWatch extends ResourceWatch<V1Pod> {
  constructor(
    config: KubeConfig,
    core: CoreV1Api,
    namespace: string,
    labelSelector: string,
    listener: PodListener,
    logger: Logger,
    options: { watchTimeoutSeconds?: number } = {},
  ) {
    super({
      config,
      path: `/api/v1/namespaces/${namespace}/pods`,
      selectors: { labelSelector },
      list: () => core.listNamespacedPod({ namespace, labelSelector }),
      listener: (pods) => listener(pods),
      logger,
      ...options,
    });
  }
}
