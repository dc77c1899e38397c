/**
 * The pod that replaces a lost task executor's pod (deleted, OOM-killed, gone with its node): the
 * same member of the same cluster, made from the lost pod's own manifest, so it registers with the
 * same job manager under the same resource id and offers the same slots, and it names the job
 * manager's pod as its owner like the rest of the cluster. Only what the API server or the kubelet
 * filled in is left out (its node, its status, its identity), so the scheduler may put it anywhere.
 */
import type { V1Pod } from '@kubernetes/client-node';

/** The resource id a task executor pod registers with (its `--resource-id` argument); undefined when it has none. */
export function resourceIdOf(pod: V1Pod): string | undefined {
  const args = pod.spec?.containers[0]?.args ?? [];
  const at = args.indexOf('--resource-id');
  return at >= 0 ? args[at + 1] : undefined;
}

/** The name of a replacement of `lostName`: the member's pod name with a new suffix (`-r<suffix>`), one replacement after another. */
export function replacementName(lostName: string, suffix: string): string {
  return `${lostName.replace(/-r[0-9a-z]+$/, '')}-r${suffix}`;
}

/** A new pod for the member `lost` was. */
export function replacementPod(lost: V1Pod, suffix: string): V1Pod {
  const { name, namespace, labels, annotations, ownerReferences } = lost.metadata!;
  const spec = { ...lost.spec! };
  delete spec.nodeName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: replacementName(name!, suffix), namespace, labels, annotations, ownerReferences },
    spec,
  };
}
