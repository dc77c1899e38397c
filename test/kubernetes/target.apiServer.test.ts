/**
 * The Kubernetes deployment target's client logic against a real API server (the API server tier:
 * etcd and kube-apiserver, no scheduler or kubelet, up in seconds): the objects a deployment makes
 * (labels, owner references, named ports, the probe, the Secret mounted and never in the pod spec,
 * the settings of flags and of a cluster's properties), and what the watches make of pod statuses
 * and of the kubelet's Events (pulling an image).
 * With no kubelet here, what a kubelet or scheduler would report is written to the pod's status
 * through the API, as they write it; the target only watches.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { DeploymentError } from '../../src/deployment/DeploymentError.js';
import type { DeploymentProgress } from '../../src/deployment/DeploymentTarget.js';
import { podName } from '../../src/deployment/kubernetes/clusterObjects.js';
import { KubernetesDeploymentTarget } from '../../src/deployment/kubernetes/KubernetesDeploymentTarget.js';
import { startApiServerTier, type ApiServerTier } from '../support/kubernetes/apiServerTier.js';
import { testKubernetesSettings } from '../support/kubernetes/testSettings.js';
import { waitFor } from '../support/kubernetes/daemons.js';
import { ApiError } from '../support/kubernetes/apiClient.js';

let tier: ApiServerTier;
beforeAll(async () => {
  tier = await startApiServerTier();
}, 90_000);
afterAll(async () => tier?.stop());

const logger = pino({ level: 'silent' });
const pods = '/api/v1/namespaces/default/pods';

function target(overrides: { deployTimeoutMs?: number; unschedulableTimeoutMs?: number } = {}) {
  return new KubernetesDeploymentTarget({
    kubeconfig: tier.kubeconfig,
    settings: {
      ...testKubernetesSettings(),
      labels: { team: 'data' },
      annotations: { 'example.com/owner': 'analytics' },
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'flotilla', effect: 'NoSchedule' }],
    },
    connect: () => {
      throw new Error('no job manager runs on the API server tier');
    },
    logger,
    ...overrides,
  });
}

function progress(told: string[] = []): DeploymentProgress {
  return { onRecorded: () => undefined, onJobManagerListening: () => undefined, onMemberEvent: (m) => told.push(m) };
}

const clusterId = () => `cluster-${randomBytes(6).toString('hex')}`;

async function objectsOf(id: string): Promise<string[]> {
  const selector = `flotilla.io%2Fcluster%3D${id}`;
  const names: string[] = [];
  for (const kind of ['pods', 'services', 'secrets']) {
    const list = await tier.client.call<{ items: { metadata: { name: string } }[] }>(
      'GET',
      `/api/v1/namespaces/default/${kind}?labelSelector=${selector}`,
    );
    names.push(...list.items.map((item) => `${kind}/${item.metadata.name}`));
  }
  return names;
}

/** Resolves with the object at `path` once it exists. */
const whenThere = <T>(path: string) =>
  waitFor(
    path,
    () =>
      tier.client.call<T>('GET', path).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }),
    20_000,
  );

/**
 * Starts deploying a cluster of one task executor and, once its job manager's pod exists, writes
 * `status` on it as its kubelet or scheduler would; resolves with the pod's name and how the
 * deployment ended (its error, or undefined).
 */
async function deployReporting(
  deployer: KubernetesDeploymentTarget,
  id: string,
  status: V1Pod['status'],
  told: string[] = [],
  beforeStatus: (pod: V1Pod) => Promise<void> = async () => undefined,
): Promise<{ name: string; failure: unknown }> {
  const deployment = deployer
    .deploy({ clusterId: id, taskExecutors: 1, slotsPerTaskExecutor: 1 }, progress(told), new AbortController().signal)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  const name = podName(id, { role: 'jobmanager', index: 0 });
  await beforeStatus(await whenThere<V1Pod>(`${pods}/${name}`));
  await reportStatus(name, status);
  return { name, failure: await deployment };
}

/** Writes a container status on the pod as its kubelet would. */
async function reportStatus(name: string, status: V1Pod['status']): Promise<void> {
  const pod = await tier.client.call<V1Pod>('GET', `${pods}/${name}`);
  await tier.client.call('PUT', `${pods}/${name}/status`, { ...pod, status: { ...pod.status, ...status } });
}

describe('the Kubernetes deployment target on a real API server', () => {
  it('makes a job manager pod that owns a Secret and a Service, with labels, named ports, the probe and the settings; a start that outlasts the deadline deletes them all', async () => {
    const id = clusterId();
    const secret = randomBytes(32).toString('base64url');
    const deployment = target({ deployTimeoutMs: 8000 })
      .deploy(
        {
          clusterId: id,
          taskExecutors: 2,
          slotsPerTaskExecutor: 2,
          clusterSecret: secret,
          tenant: 'analytics',
          properties: {
            'kubernetes.service-account': 'flotilla-runner',
            'kubernetes.jobmanager.memory': '300',
            'kubernetes.container.image': 'registry.example.com/flotilla:2',
            'kubernetes.container.image.pull-policy': 'Always',
          },
        },
        progress(),
        new AbortController().signal,
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const name = podName(id, { role: 'jobmanager', index: 0 });
    const service = await whenThere<V1Service>(`/api/v1/namespaces/default/services/flotilla-${id}`);
    const pod = await tier.client.call<V1Pod>('GET', `${pods}/${name}`);
    const stored = await tier.client.call<V1Secret>('GET', `/api/v1/namespaces/default/secrets/flotilla-${id}`);

    expect(pod.metadata!.labels).toMatchObject({
      'flotilla.io/cluster': id,
      'flotilla.io/role': 'jobmanager',
      'app.kubernetes.io/name': 'flotilla',
      team: 'data',
    });
    expect(pod.metadata!.annotations).toMatchObject({
      'example.com/owner': 'analytics',
      'flotilla.io/task-executors': '2',
      'flotilla.io/tenant': 'analytics',
    });
    const spec = pod.spec!;
    expect(spec.serviceAccountName).toBe('flotilla-runner');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.nodeSelector).toEqual({ disk: 'ssd' });
    expect(spec.tolerations).toEqual(
      expect.arrayContaining([{ key: 'dedicated', operator: 'Equal', value: 'flotilla', effect: 'NoSchedule' }]),
    );
    const container = spec.containers[0]!;
    expect([container.image, container.imagePullPolicy]).toEqual(['registry.example.com/flotilla:2', 'Always']);
    expect(container.ports).toEqual([{ name: 'rpc', containerPort: 6123, protocol: 'TCP' }]);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '300Mi' },
      limits: { cpu: '1', memory: '300Mi' },
    });
    expect(container.readinessProbe?.exec?.command).toEqual(
      expect.arrayContaining(['health-probe', '--service', 'flotilla.v1.DispatcherService']),
    );
    // The secret is mounted from the Secret, and appears nowhere in the pod's spec.
    expect(JSON.stringify(pod)).not.toContain(secret);
    expect(spec.volumes).toContainEqual({
      name: 'cluster-secret',
      secret: { secretName: `flotilla-${id}`, defaultMode: 0o440 },
    });
    expect(Buffer.from(stored.data!['cluster-secret']!, 'base64').toString()).toBe(secret);
    for (const owned of [stored, service])
      expect(owned.metadata!.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Pod', name, uid: pod.metadata!.uid }),
      ]);
    expect(service.spec!.selector).toEqual({ 'flotilla.io/cluster': id, 'flotilla.io/role': 'jobmanager' });
    expect(service.spec!.ports).toEqual([expect.objectContaining({ name: 'rpc', port: 6123, targetPort: 'rpc' })]);

    // No scheduler runs here: the pod never starts, and the deadline ends the deployment.
    const failure = await deployment;
    expect(failure).toBeInstanceOf(DeploymentError);
    expect((failure as Error).message).toMatch(new RegExp(`did not start on Kubernetes within 8 s: .*${name}`));
    expect(await objectsOf(id)).toEqual([]);
  }, 60_000);

  it('tells the kubelet’s Pulling Event, then fails at once naming the pod and the image when the kubelet reports the image cannot be pulled, and deletes everything', async () => {
    const id = clusterId();
    const told: string[] = [];
    const started = Date.now();
    const image = 'registry.example.com/flotilla:nope';
    // The Event the kubelet writes as it starts the pull, before the container status says anything.
    const pulling = async (pod: V1Pod) => {
      const name = pod.metadata!.name!;
      await tier.client.call('POST', '/api/v1/namespaces/default/events', {
        metadata: { name: `${name}.pulling`, namespace: 'default' },
        involvedObject: {
          kind: 'Pod',
          namespace: 'default',
          name,
          uid: pod.metadata!.uid,
          apiVersion: 'v1',
          fieldPath: 'spec.containers{flotilla}',
        },
        reason: 'Pulling',
        message: `Pulling image "${image}"`,
        type: 'Normal',
        source: { component: 'kubelet', host: 'flotilla-node' },
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
        count: 1,
      });
      await expect.poll(() => told, { timeout: 10_000, interval: 50 }).toContain(`pod ${name}: pulling image ${image}`);
    };
    const { name, failure } = await deployReporting(
      target(),
      id,
      {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'flotilla',
            image,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ErrImagePull', message: 'manifest unknown' } },
          },
        ],
      },
      told,
      pulling,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(failure).toBeInstanceOf(DeploymentError);
    expect((failure as Error).message).toContain(
      `pod ${name}: ErrImagePull (image registry.example.com/flotilla:nope): manifest unknown`,
    );
    expect(told).toContain(`pod ${name}: ErrImagePull`);
    expect(told.indexOf(`pod ${name}: pulling image ${image}`)).toBeLessThan(told.indexOf(`pod ${name}: ErrImagePull`));
    expect(await objectsOf(id)).toEqual([]);
  }, 60_000);

  it('fails a pod no node takes once it waited unschedulableTimeoutMs, with the scheduler’s message, and deletes everything', async () => {
    const id = clusterId();
    const { name, failure } = await deployReporting(target({ unschedulableTimeoutMs: 1000 }), id, {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient memory.',
        },
      ],
    });
    expect(failure).toBeInstanceOf(DeploymentError);
    expect((failure as Error).message).toContain(
      `pod ${name}: Unschedulable: 0/1 nodes are available: 1 Insufficient memory.`,
    );
    expect(await objectsOf(id)).toEqual([]);
  }, 60_000);

  it('refuses a cluster whose properties name another API server (-kms) or a bad namespace, creating nothing', async () => {
    const id = clusterId();
    await expect(
      target().deploy(
        {
          clusterId: id,
          taskExecutors: 1,
          slotsPerTaskExecutor: 1,
          properties: { 'kubernetes.master': 'https://10.0.0.1:6443' },
        },
        progress(),
        new AbortController().signal,
      ),
    ).rejects.toThrow(
      /kubernetes.master \(-kms\) is https:\/\/10.0.0.1:6443, but this control plane deploys to https:\/\/127.0.0.1/,
    );
    await expect(
      target().deploy(
        {
          clusterId: id,
          taskExecutors: 1,
          slotsPerTaskExecutor: 1,
          properties: { 'kubernetes.namespace': 'Not_A_Name' },
        },
        progress(),
        new AbortController().signal,
      ),
    ).rejects.toThrow('kubernetes.namespace must be a Kubernetes namespace name, got "Not_A_Name"');
    expect(await objectsOf(id)).toEqual([]);
  });
});
