/**
 * The watch under every Kubernetes deployment (ResourceWatch, which PodWatch and PodEventWatch
 * build on) against a real API server (the API server tier), on ConfigMaps, the simplest
 * collection: a watch the server ends (here after 1 s, `timeoutSeconds`) is resumed from the last
 * resourceVersion seen, without listing again and without missing a change; a resourceVersion the
 * server no longer has (410 Gone: etcd compacted it away) is answered by listing again.
 */
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceWatch, type WatchedList, type WatchedObject } from '../../src/deployment/kubernetes/ResourceWatch.js';
import { startApiServerTier, type ApiServerTier } from '../support/kubernetes/apiServerTier.js';

let tier: ApiServerTier;
let config: KubeConfig;
beforeAll(async () => {
  tier = await startApiServerTier();
  config = new KubeConfig();
  config.loadFromFile(tier.kubeconfig);
}, 90_000);
afterAll(async () => tier?.stop());

const collection = '/api/v1/namespaces/default/configmaps';

/** A label no other test's config maps carry. */
const freshLabel = () => `watch-${randomBytes(4).toString('hex')}`;

function configMap(label: string, name: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { test: label } }, data: { name } };
}

async function createConfigMap(label: string, name: string): Promise<void> {
  await tier.client.call('POST', collection, configMap(label, name));
}

async function listConfigMaps(label: string): Promise<WatchedList<WatchedObject>> {
  return tier.client.call<WatchedList<WatchedObject>>('GET', `${collection}?labelSelector=test%3D${label}`);
}

/** A watch of the config maps labelled `label`, counting its lists and keeping the names it holds. */
function watchOf(
  label: string,
  list: () => Promise<WatchedList<WatchedObject>>,
  watchTimeoutSeconds?: number,
  kubeConfig: KubeConfig = config,
) {
  const seen = { lists: 0, names: [] as string[] };
  const watch = new ResourceWatch<WatchedObject>({
    config: kubeConfig,
    path: collection,
    selectors: { labelSelector: `test=${label}` },
    list,
    listener: (objects, _changed, listed) => {
      if (listed) seen.lists++;
      seen.names = [...objects.keys()].sort();
    },
    logger: pino({ level: 'silent' }),
    watchTimeoutSeconds,
  });
  return { watch, seen };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the list-then-watch of a collection, on a real API server', () => {
  it('resumes a watch the server ended from its last resourceVersion: every change seen, one list only', async () => {
    const label = freshLabel();
    await createConfigMap(label, `${label}-0`);
    const { watch, seen } = watchOf(label, () => listConfigMaps(label), 1);
    await watch.start();
    try {
      expect(seen.names).toEqual([`${label}-0`]);
      // Changes spread over about four watches, each ended by the server after 1 s.
      for (let i = 1; i <= 4; i++) {
        await sleep(900);
        await createConfigMap(label, `${label}-${i}`);
      }
      await tier.client.call('DELETE', `${collection}/${label}-2`);
      const expected = [0, 1, 3, 4].map((i) => `${label}-${i}`);
      await expect.poll(() => seen.names, { timeout: 15_000, interval: 100 }).toEqual(expected);
      expect(seen.lists).toBe(1);
    } finally {
      watch.stop();
    }
  });

  it('lists again when its resourceVersion is too old for the server (410 Gone), then goes on watching', async () => {
    // Without the watch cache a watch is served by etcd, which answers a revision it compacted away
    // with an error the API server sends as 410 Gone.
    const uncached = await startApiServerTier({ apiServerArgs: ['--watch-cache=false'] });
    try {
      const label = freshLabel();
      const client = uncached.client;
      const list = () => client.call<WatchedList<WatchedObject>>('GET', `${collection}?labelSelector=test%3D${label}`);
      await client.call('POST', collection, configMap(label, `${label}-0`));
      // The first list is one taken before etcd compacted its history past it.
      const stale = await list();
      await client.call('POST', collection, configMap(label, `${label}-1`));
      // One more write past it, so that compacting at the newest revision removes the stale one's next.
      await client.call('POST', collection, configMap(freshLabel(), `${label}-other`));
      const revision = (await list()).metadata!.resourceVersion!;
      const compacted = await fetch(`${uncached.etcdUrl}/v3/kv/compaction`, {
        method: 'POST',
        body: JSON.stringify({ revision, physical: true }),
      });
      expect(compacted.status).toBe(200);
      let lists = 0;
      const uncachedConfig = new KubeConfig();
      uncachedConfig.loadFromFile(uncached.kubeconfig);
      const { watch, seen } = watchOf(
        label,
        () => (lists++ === 0 ? Promise.resolve(stale) : list()),
        undefined,
        uncachedConfig,
      );
      await watch.start();
      try {
        expect(seen.names).toEqual([`${label}-0`]);
        await expect.poll(() => seen.names, { timeout: 15_000, interval: 100 }).toEqual([`${label}-0`, `${label}-1`]);
        expect(seen.lists).toBe(2);
        await client.call('POST', collection, configMap(label, `${label}-2`));
        await expect
          .poll(() => seen.names, { timeout: 15_000, interval: 100 })
          .toEqual([`${label}-0`, `${label}-1`, `${label}-2`]);
        expect(seen.lists).toBe(2);
      } finally {
        watch.stop();
      }
    } finally {
      await uncached.stop();
    }
  }, 120_000);
});
