import { describe, expect, it } from 'vitest';
import { jobManagerPod, taskExecutorPod, type ClusterObjectsInput } from './clusterObjects.js';
import { KUBERNETES_SETTINGS_DEFAULTS } from './KubernetesSettings.js';

const input = (extra: Partial<ClusterObjectsInput> = {}): ClusterObjectsInput => ({
  clusterId: 'cluster-1',
  tenant: '',
  settings: KUBERNETES_SETTINGS_DEFAULTS,
  taskExecutors: 1,
  slotsPerTaskExecutor: 1,
  heartbeat: { intervalMs: 1000, timeoutMs: 6000 },
  hasSecret: true,
  ...extra,
});

const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('the job manager pod of a cluster with a lease', () => {
  it('deletes its own pod when the lease expires: it names the pod and gets its service account token, CA and namespace where in-cluster clients look', () => {
    const pod = jobManagerPod(input({ leaseTimeMs: 8000 }));
    const container = pod.spec!.containers[0]!;
    expect(container.args).toEqual(
      expect.arrayContaining(['--lease-time', '8000ms', '--kubernetes-owner-pod', 'flotilla-cluster-1-jobmanager']),
    );
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
    expect(pod.spec!.serviceAccountName).toBe('default');
    expect(container.volumeMounts).toContainEqual({
      name: 'service-account',
      mountPath: SERVICE_ACCOUNT_MOUNT,
      readOnly: true,
    });
    const volume = pod.spec!.volumes!.find((each) => each.name === 'service-account');
    expect(volume?.projected?.sources?.map((source) => Object.keys(source)[0])).toEqual([
      'serviceAccountToken',
      'configMap',
      'downwardAPI',
    ]);
  });

  it('runs as the service account of the settings when one is set', () => {
    const settings = { ...KUBERNETES_SETTINGS_DEFAULTS, serviceAccount: 'flotilla-jobmanager' };
    expect(jobManagerPod(input({ settings, leaseTimeMs: 8000 })).spec!.serviceAccountName).toBe('flotilla-jobmanager');
  });

  it('gets no token without a lease, and task executors never do', () => {
    const withoutLease = jobManagerPod(input());
    const taskExecutor = taskExecutorPod(input({ leaseTimeMs: 8000 }), 0, '10.0.0.1:6123', jobManagerPod(input()));
    for (const pod of [withoutLease, taskExecutor]) {
      expect(pod.spec!.volumes!.map((volume) => volume.name)).not.toContain('service-account');
      expect(pod.spec!.containers[0]!.args).not.toContain('--kubernetes-owner-pod');
    }
  });
});
