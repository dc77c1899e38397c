/**
 * The full tier of the test cluster: the API server tier plus kube-scheduler,
 * kube-controller-manager, containerd with a CNI bridge and one kubelet, so that pods really run
 * (from images imported into containerd, imagePullPolicy Never: no registry is reachable), the
 * `kubernetes` Service pods reach the API server by (serviceProxy.ts, kube-proxy's part) and the job
 * managers' service account with its Role (jobManagerRole.ts). It saves
 * the host settings it is going to change before it starts and, when it stops, deletes every pod,
 * stops every process it started (by pid), unmounts and removes what they left and puts the
 * settings back, also when it failed half-way or a test failed.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { startApiServerTier, stopAll, type ApiServerTier } from './apiServerTier.js';
import { kubernetesBinaries } from './binaries.js';
import { writeCniConfig } from './cni.js';
import { startContainerd, type Containerd } from './containerd.js';
import { startControllerManager, startScheduler } from './controllers.js';
import { waitFor, type Daemon } from './daemons.js';
import { readHostSettings, restoreHostSettings, unmountUnder, type HostSettings } from './hostSettings.js';
import { buildPauseImage } from './images.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createJobManagerRole } from './jobManagerRole.js';
import { NODE_NAME, startKubelet } from './kubelet.js';
import { startServiceProxy, type ServiceProxy } from './serviceProxy.js';

/** A running full tier. */
export interface FullTier extends Omit<ApiServerTier, 'stop'> {
  containerd: Containerd;
  /** The host settings read before the tier changed any. */
  hostBefore: HostSettings;
  /** Imports a docker-save tarball into the node's containerd. */
  importImage(tarball: string): void;
  /** Stops everything and puts the host back; resolves with what had to be undone on the host. */
  stop(): Promise<string[]>;
}

interface Node {
  status?: { conditions?: { type: string; status: string }[] };
}
interface PodList {
  items: { metadata: { name: string; namespace: string } }[];
}

const running = new Set<FullTier>();
afterAll(async () => {
  for (const tier of running) await tier.stop();
}, 120_000);

/** Starts the full tier and resolves once its node is Ready (about 20–40 s). */
export async function startFullTier(): Promise<FullTier> {
  const binaries = kubernetesBinaries();
  const hostBefore = readHostSettings();
  let apiTier: ApiServerTier | undefined;
  let containerd: Containerd | undefined;
  let serviceProxy: ServiceProxy | undefined;
  const daemons: Daemon[] = [];
  let stopped: Promise<string[]> | undefined;

  const stopEverything = async (): Promise<string[]> => {
    try {
      if (apiTier && containerd) await deleteAllPods(apiTier, containerd);
    } finally {
      try {
        await stopAll(daemons);
        await serviceProxy?.stop();
        await containerd?.stop();
        await apiTier?.stop();
      } finally {
        if (apiTier) unmountUnder(apiTier.folder);
      }
    }
    return restoreHostSettings(hostBefore);
  };
  // Once stopping began, a second call waits for the same end.
  const stop = () => (stopped ??= stopEverything());

  try {
    apiTier = await startApiServerTier();
    const { folder, server, credentials } = apiTier;
    const kubeconfigOf = (client: 'kube-scheduler' | 'kube-controller-manager' | 'kubelet') =>
      writeKubeconfig(join(folder, `${client}.kubeconfig`), server, credentials.caPem, credentials.tokens[client]);
    daemons.push(startScheduler(binaries.scheduler, folder, kubeconfigOf('kube-scheduler')));
    daemons.push(
      startControllerManager(binaries.controllerManager, folder, kubeconfigOf('kube-controller-manager'), credentials),
    );
    serviceProxy = await startServiceProxy(Number(new URL(server).port));
    containerd = await startContainerd(binaries.containerd, binaries.ctr, folder, writeCniConfig(folder));
    containerd.importImage(buildPauseImage(binaries.pause, folder));
    daemons.push(await startKubelet(binaries.kubelet, folder, kubeconfigOf('kubelet'), containerd.socket));
    const client = apiTier.client;
    await waitFor(
      `node ${NODE_NAME} to be Ready`,
      async () => {
        const node = await client.call<Node>('GET', `/api/v1/nodes/${NODE_NAME}`);
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
      },
      120_000,
      [...daemons, containerd.daemon, ...apiTier.daemons],
    );
    // The controller manager makes each namespace's default service account and its kube-root-ca.crt,
    // which a pod's service account volume takes the CA from.
    for (const path of ['serviceaccounts/default', 'configmaps/kube-root-ca.crt'])
      await waitFor(
        `default/${path}`,
        async () => ((await client.call('GET', `/api/v1/namespaces/default/${path}`)) ? true : undefined),
        60_000,
        daemons,
      );
    await createJobManagerRole(client);
    const readyContainerd = containerd;
    const tier: FullTier = {
      ...apiTier,
      daemons: [...apiTier.daemons, ...daemons, containerd.daemon],
      containerd,
      hostBefore,
      importImage: (tarball) => readyContainerd.importImage(tarball),
      async stop() {
        running.delete(tier);
        return stop();
      },
    };
    running.add(tier);
    return tier;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Deletes every pod at once and waits (up to 30 s) until the kubelet stopped their containers. */
async function deleteAllPods(tier: ApiServerTier, containerd: Containerd): Promise<void> {
  const pods = await tier.client.call<PodList>('GET', '/api/v1/pods');
  for (const pod of pods.items) {
    await tier.client
      .call('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
        gracePeriodSeconds: 0,
      })
      .catch(() => undefined);
  }
  await waitFor(
    'the pods’ containers to stop',
    () => (containerd.ctr('tasks', 'list', '--quiet').trim() === '' ? true : undefined),
    30_000,
  ).catch(() => undefined);
}
