/**
 * The Kubernetes test cluster the project's own scripts build and start (issue 19, part 7): the API
 * server tier serves the API a client uses (create, list, watch), and the full tier runs a pod from
 * an image built from this checkout, garbage-collects what an owner reference ties to a deleted
 * owner, and leaves every host setting it changed as it found it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ApiClient, type WatchEvent } from '../support/kubernetes/apiClient.js';
import { startApiServerTier, type ApiServerTier } from '../support/kubernetes/apiServerTier.js';

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
    abort.abort();
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
