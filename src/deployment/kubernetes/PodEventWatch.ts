/**
 * Follows the Events the kubelet writes about a cluster's pods, for what a pod's status does not
 * say: that its image is being pulled (reason `Pulling`, "Pulling image "I"") and that the pull
 * finished (`Pulled`, "Successfully pulled image "I" in 2.1s"). One watch of the namespace's pod
 * Events (field selector `involvedObject.kind=Pod`; ResourceWatch.ts: resumed by resourceVersion,
 * listed again on 410 Gone), kept to the cluster's pods by name; each step is told once.
 */
import type { CoreV1Api, CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { podName } from './clusterObjects.js';
import { ResourceWatch } from './ResourceWatch.js';

/** The image an Event's message names in quotes ("Pulling image "I""), if it does. */
function imageOf(message: string | undefined): string | undefined {
  return /image "([^"]+)"/.exec(message ?? '')?.[1];
}

/** What a kubelet's Event about a pod tells a person of its image, as one short sentence; undefined for other Events. */
export function pullStepOf(event: CoreV1Event): string | undefined {
  const pod = event.involvedObject?.name;
  const image = imageOf(event.message);
  if (!pod || !image || event.involvedObject.kind !== 'Pod') return undefined;
  if (event.reason === 'Pulling') return `pod ${pod}: pulling image ${image}`;
  const took = /^Successfully pulled image "[^"]+" in (\S+)/.exec(event.message ?? '')?.[1];
  if (event.reason === 'Pulled' && took) return `pod ${pod}: pulled image ${image} in ${took}`;
  return undefined;
}

/** Whether `pod` names a pod of cluster `clusterId`: its job manager, a task executor or a replacement of one. */
export function isPodOfCluster(pod: string, clusterId: string): boolean {
  if (pod === podName(clusterId, { role: 'jobmanager', index: 0 })) return true;
  const prefix = `${podName(clusterId, { role: 'taskexecutor', index: 0 }).slice(0, -1)}`;
  return pod.startsWith(prefix) && /^\d+(-r[0-9a-z]+)?$/.test(pod.slice(prefix.length));
}

/** A watch of the image steps of one cluster's pods. */
export class PodEventWatch {
  private readonly told = new Set<string>();
  private readonly watch: ResourceWatch<CoreV1Event>;

  /**
   * `tellPast`: whether the Events already there at the first list are news (a deployment that
   * starts watching before it creates its pods) or only what comes afterwards is (a running cluster).
   */
  constructor(
    config: KubeConfig,
    core: CoreV1Api,
    namespace: string,
    clusterId: string,
    onStep: (step: string) => void,
    logger: Logger,
    tellPast: boolean,
  ) {
    const fieldSelector = 'involvedObject.kind=Pod';
    let first = true;
    this.watch = new ResourceWatch<CoreV1Event>({
      config,
      path: `/api/v1/namespaces/${namespace}/events`,
      selectors: { fieldSelector },
      list: () => core.listNamespacedEvent({ namespace, fieldSelector }),
      listener: (_events, changed) => {
        const quiet = first && !tellPast;
        first = false;
        for (const event of changed) {
          if (!isPodOfCluster(event.involvedObject?.name ?? '', clusterId)) continue;
          const step = pullStepOf(event);
          if (!step || this.told.has(step)) continue;
          this.told.add(step);
          if (!quiet) onStep(step);
        }
      },
      logger,
    });
  }

  /** Lists, then watches; resolves once the first list is in. */
  start(): Promise<void> {
    return this.watch.start();
  }

  /** Stops watching; no step is told afterwards. */
  stop(): void {
    this.watch.stop();
  }
}
