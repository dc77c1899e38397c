/**
 * The Kubernetes test cluster the project's own scripts build and start (issue 19, part 7): the API
 * server tier serves the API a client uses (create, list, watch), and the full tier runs a pod from
 * an image built from this checkout, garbage-collects what an owner reference ties to a deleted
 * owner, and leaves every host setting it changed as it found it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { ApiClient, ApiError, type WatchEvent } from '../support/kubernetes/apiClient.js';
import { startApiServerTier, type ApiServerTier } from '../support/kubernetes/apiServerTier.js';
import { waitFor } from '../support/kubernetes/daemons.js';
import { startFullTier, type FullTier } from '../support/kubernetes/fullTier.js';
import { readHostSettings } from '../support/kubernetes/hostSettings.js';
import { buildFlotillaImage, FLOTILLA_IMAGE } from '../support/kubernetes/images.js';

interface ConfigMap {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
  data?: Record<string, string>;
}
interface List<T> {
  metadata: { resourceVersion: string };
  items: T[];
}

describe('API server tier', () => {
  let tier: ApiServerTier;
  beforeAll(async () => {
    tier = await startApiServerTier();
  }, 90_000);
  afterAll(async () => tier?.stop());

  it('creates, lists and watches a ConfigMap over the kubeconfig it wrote', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const before = await tier.client.call<List<ConfigMap>>('GET', `${path}?labelSelector=flotilla.test%3Dharness`);
    expect(before.items).toEqual([]);

    const abort = new AbortController();
    const seen: WatchEvent<ConfigMap>[] = [];
    const watching = (async () => {
      for await (const event of tier.client.watch<ConfigMap>(
        `${path}?labelSelector=flotilla.test%3Dharness`,
        before.metadata.resourceVersion,
        abort.signal,
      )) {
        seen.push(event);
        if (event.type === 'DELETED') break;
      }
    })();

    // If a call fails, the watch is still stopped and awaited, so it cannot reject after the tier stopped.
    try {
      const created = await tier.client.call<ConfigMap>('POST', path, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'harness', labels: { 'flotilla.test': 'harness' } },
        data: { greeting: 'hello' },
      });
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      await tier.client.call('PUT', `${path}/harness`, { ...created, data: { greeting: 'hello again' } });
      const listed = await tier.client.call<List<ConfigMap>>('GET', `${path}?labelSelector=flotilla.test%3Dharness`);
      expect(listed.items.map((item) => [item.metadata.name, item.data])).toEqual([
        ['harness', { greeting: 'hello again' }],
      ]);
      await tier.client.call('DELETE', `${path}/harness`);
      await watching;
    } finally {
      abort.abort();
      await watching.catch(() => undefined);
    }
    expect(seen.map((event) => [event.type, event.object.data?.greeting])).toEqual([
      ['ADDED', 'hello'],
      ['MODIFIED', 'hello again'],
      ['DELETED', 'hello again'],
    ]);
  });

  it('writes a kubeconfig naming the server, its CA and the admin token', () => {
    const config = JSON.parse(readFileSync(tier.kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    expect(config.clusters[0].cluster.server).toBe(tier.server);
    expect(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
      tier.credentials.caPem,
    );
    expect(config.users[0].user.token).toBe(tier.credentials.tokens.admin);
  });

  it('refuses an unknown token and a write with a stale resourceVersion', async () => {
    const stranger = new ApiClient(tier.server, tier.credentials.caPem, 'not-a-token');
    await expect(stranger.call('GET', '/api/v1/namespaces')).rejects.toMatchObject({ status: 401 });
    const path = '/api/v1/namespaces/default/configmaps';
    const created = await tier.client.call<ConfigMap>('POST', path, {
      metadata: { name: 'stale' },
      data: { n: '1' },
    });
    await tier.client.call('PUT', `${path}/stale`, { ...created, data: { n: '2' } });
    await expect(tier.client.call('PUT', `${path}/stale`, { ...created, data: { n: '3' } })).rejects.toMatchObject({
      status: 409,
    });
  });
});

interface Pod {
  metadata: { name: string; uid: string; namespace: string };
  status?: { phase?: string; podIP?: string };
}

describe('full tier', () => {
  let tier: FullTier;
  beforeAll(async () => {
    tier = await startFullTier();
    tier.importImage(buildFlotillaImage(tier.folder));
  }, 240_000);
  afterAll(async () => tier?.stop(), 120_000);

  const pods = '/api/v1/namespaces/default/pods';
  const podPhase = async (name: string) => (await tier.client.call<Pod>('GET', `${pods}/${name}`)).status?.phase;
  const flotillaContainer = (args: string[]) => ({
    name: 'flotilla',
    image: FLOTILLA_IMAGE,
    imagePullPolicy: 'Never',
    args,
  });

  it('runs a pod from an imported image of this checkout to Succeeded', async () => {
    const pod = await tier.client.call<Pod>('POST', pods, {
      metadata: { name: 'flotilla-version' },
      spec: { restartPolicy: 'Never', containers: [flotillaContainer(['--version'])] },
    });
    await waitFor(
      'the pod to succeed',
      async () => {
        const phase = await podPhase('flotilla-version');
        if (phase === 'Failed') throw new Error('the pod failed');
        return phase === 'Succeeded' ? true : undefined;
      },
      90_000,
    );
    // The kubelet refuses a loopback node IP, so logs are read where it writes them on the node.
    const log = readFileSync(`/var/log/pods/default_flotilla-version_${pod.metadata.uid}/flotilla/0.log`, 'utf8');
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(log).toMatch(new RegExp(` stdout F ${version.replaceAll('.', '\\.')}\\n$`));
  }, 120_000);

  it('deletes a pod whose owner (by ownerReference) was deleted: the garbage collector runs', async () => {
    const owner = await tier.client.call<ConfigMap>('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'owner' },
    });
    await tier.client.call<Pod>('POST', pods, {
      metadata: {
        name: 'owned',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }],
      },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        containers: [{ ...flotillaContainer([]), command: ['/usr/bin/node', '-e', 'setInterval(() => {}, 1000)'] }],
      },
    });
    await waitFor(
      'the owned pod to run',
      async () => ((await podPhase('owned')) === 'Running' ? true : undefined),
      90_000,
    );
    // Its address comes from the CNI bridge's host-local range the tier made.
    const running = await tier.client.call<Pod>('GET', `${pods}/owned`);
    expect(running.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);
    await tier.client.call('DELETE', '/api/v1/namespaces/default/configmaps/owner', {
      propagationPolicy: 'Background',
    });
    await waitFor(
      'the owned pod to be deleted',
      () =>
        tier.client.call('GET', `${pods}/owned`).then(
          () => undefined,
          (error: unknown) => (error instanceof ApiError && error.status === 404 ? true : Promise.reject(error)),
        ),
      90_000,
    );
  }, 200_000);

  it('puts every host setting back when it stops', async () => {
    const undone = await tier.stop();
    // The kubelet did change the host (its kernel tunables at least); all of it is undone.
    expect(undone.length).toBeGreaterThan(0);
    expect(readHostSettings()).toEqual(tier.hostBefore);
    expect(tier.daemons.filter((daemon) => daemon.running()).map((daemon) => daemon.name)).toEqual([]);
    // containerd's shims outlive containerd unless killed: none is left serving the tier's socket.
    const leftovers = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tier.folder);
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
  }, 120_000);
});
