/**
 * PodWatch (ResourceWatch.ts) on a real API server (the API server tier, nothing mocked): a watch
 * the server ends (`timeoutSeconds`) is resumed from the last resourceVersion it saw, so a pod
 * created while no watch was open is still told, without listing again; and a resourceVersion
 * etcd has compacted away (410 Gone) makes it list again and go on from there with the current
 * pods. What the watch did is read from its debug log.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/deployment/kubernetes/KubernetesDeploymentTarget.js';
import { PodWatch } from '../../src/deployment/kubernetes/PodWatch.js';
import { startApiServerTier, type ApiServerTier } from '../support/kubernetes/apiServerTier.js';

const LABEL = 'flotilla.io/watch-test';

interface LogEntry {
  msg: string;
  resourceVersion?: string;
}

/** What the watch logged (debug and up), each entry also handed to `onEntry` as it is written. */
function capturingLogger(onEntry: (entry: LogEntry) => void = () => undefined) {
  const entries: LogEntry[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as LogEntry;
        entries.push(entry);
        onEntry(entry);
      },
    },
  );
  return { logger, entries };
}

const ENDED = 'the server ended the watch; resuming it';
const LISTED = 'listed the watched collection';
const GONE = 'the resourceVersion is gone (410); listing again';

/** A pod of the group `group` that no scheduler or kubelet will touch. */
const podBody = (name: string, group: string): V1Pod => ({
  metadata: { name, labels: { [LABEL]: group } },
  spec: { containers: [{ name: 'flotilla', image: 'flotilla:none' }] },
});

/** Starts a PodWatch of the group's pods whose server ends each watch after 1 s; records every pod name it told. */
async function watchGroup(tier: ApiServerTier, group: string, logger: pino.Logger) {
  const config = loadKubeConfig(tier.kubeconfig);
  const seen = new Set<string>();
  let current: string[] = [];
  const watch = new PodWatch(
    config,
    config.makeApiClient(CoreV1Api),
    'default',
    `${LABEL}=${group}`,
    (pods) => {
      current = [...pods.keys()].sort();
      for (const name of current) seen.add(name);
    },
    logger,
    { watchTimeoutSeconds: 1 },
  );
  await watch.start();
  return { watch, seen, current: () => current };
}

describe('a pod watch whose server ends it (watch cache on, as API servers run)', () => {
  let tier: ApiServerTier;
  beforeAll(async () => {
    tier = await startApiServerTier();
  }, 90_000);
  afterAll(async () => tier?.stop());

  it('resumes from the last resourceVersion it saw: pods created while no watch was open are told, with no second list', async () => {
    const group = randomBytes(4).toString('hex');
    const { credentials, server } = tier;
    // Made while the watch is down: the log line is written after the watch ended and before it is resumed, and this blocks until the API server has the pod.
    const createNow = (name: string) =>
      execFileSync('curl', [
        '-sS',
        '--fail',
        '--cacert',
        credentials.caFile,
        '-H',
        `Authorization: Bearer ${credentials.tokens.admin}`,
        '-H',
        'Content-Type: application/json',
        '--data',
        JSON.stringify(podBody(name, group)),
        `${server}/api/v1/namespaces/default/pods`,
      ]);
    let gaps = 0;
    const { logger, entries } = capturingLogger((entry) => {
      if (entry.msg === ENDED && gaps < 2) createNow(`gap-${group}-${++gaps}`);
    });
    await tier.client.call('POST', '/api/v1/namespaces/default/pods', podBody(`first-${group}`, group));
    const { watch, seen, current } = await watchGroup(tier, group, logger);
    try {
      expect(current()).toEqual([`first-${group}`]);
      await expect.poll(() => gaps, { timeout: 20_000, interval: 100 }).toBe(2);
      await tier.client.call('POST', '/api/v1/namespaces/default/pods', podBody(`after-${group}`, group));
      await expect
        .poll(() => [...seen].sort(), { timeout: 20_000, interval: 100 })
        .toEqual([`after-${group}`, `first-${group}`, `gap-${group}-1`, `gap-${group}-2`]);
      expect(current()).toEqual([`after-${group}`, `first-${group}`, `gap-${group}-1`, `gap-${group}-2`]);
      // One list only: every resumed watch started from the resourceVersion last seen, never from scratch.
      expect(entries.filter((entry) => entry.msg === LISTED)).toHaveLength(1);
      expect(entries.filter((entry) => entry.msg === GONE)).toEqual([]);
      const from = entries.filter((entry) => entry.msg === 'watching from resourceVersion');
      expect(from.length).toBeGreaterThanOrEqual(3);
      for (const each of from) expect(Number(each.resourceVersion)).toBeGreaterThan(0);
    } finally {
      watch.stop();
    }
  }, 60_000);
});

describe('a pod watch whose resourceVersion etcd compacted away (watch cache off: watches read etcd)', () => {
  let tier: ApiServerTier;
  beforeAll(async () => {
    tier = await startApiServerTier({ apiServerArgs: ['--watch-cache=false'] });
  }, 90_000);
  afterAll(async () => tier?.stop());

  /** etcd's current revision, through its JSON gateway. */
  async function etcdRevision(): Promise<number> {
    const response = await fetch(`${tier.etcdUrl}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('/').toString('base64') }),
    });
    return Number(((await response.json()) as { header: { revision: string } }).header.revision);
  }

  it('gets 410 Gone on resuming, lists again, has the current pods and goes on watching', async () => {
    const group = randomBytes(4).toString('hex');
    const { logger, entries } = capturingLogger();
    await tier.client.call('POST', '/api/v1/namespaces/default/pods', podBody(`first-${group}`, group));
    const { watch, seen, current } = await watchGroup(tier, group, logger);
    try {
      await tier.client.call('POST', '/api/v1/namespaces/default/pods', podBody(`second-${group}`, group));
      await expect.poll(() => current(), { timeout: 20_000, interval: 100 }).toContain(`second-${group}`);
      await tier.client.call('DELETE', `/api/v1/namespaces/default/pods/first-${group}`, { gracePeriodSeconds: 0 });
      await expect.poll(() => current(), { timeout: 20_000, interval: 100 }).toEqual([`second-${group}`]);
      // Other objects move etcd on past the group's last resourceVersion, which is then compacted away.
      for (let index = 0; index < 3; index++)
        await tier.client.call('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: `other-${group}-${index}` },
        });
      const revision = await etcdRevision();
      const compacted = await fetch(`${tier.etcdUrl}/v3/kv/compaction`, {
        method: 'POST',
        body: JSON.stringify({ revision: String(revision), physical: true }),
      });
      expect(compacted.ok).toBe(true);
      // The next resume (within a second) asks for a compacted resourceVersion.
      await expect
        .poll(() => entries.filter((entry) => entry.msg === GONE).length, { timeout: 20_000, interval: 100 })
        .toBeGreaterThanOrEqual(1);
      await expect.poll(() => entries.filter((entry) => entry.msg === LISTED).length).toBeGreaterThanOrEqual(2);
      expect(current()).toEqual([`second-${group}`]);
      // And it watches on from the new list.
      await tier.client.call('POST', '/api/v1/namespaces/default/pods', podBody(`third-${group}`, group));
      await expect
        .poll(() => current(), { timeout: 20_000, interval: 100 })
        .toEqual([`second-${group}`, `third-${group}`]);
      expect(seen.has(`third-${group}`)).toBe(true);
    } finally {
      watch.stop();
    }
  }, 60_000);
});
