import { describe, expect, it } from 'vitest';
import {
  clusterSecretObject,
  jobManagerPod,
  jobManagerServiceNames,
  taskExecutorPod,
  type ClusterObjectsInput,
} from './clusterObjects.js';
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

describe('the pods of a cluster with TLS', () => {
  const tlsInput = input({ tls: true });
  const jobManager = jobManagerPod(tlsInput);
  const pods = [jobManager, taskExecutorPod(tlsInput, 0, '10.0.0.1:6123', jobManager)];

  it('serve TLS from the mounted Secret, trust its CA and check the Service name, with no --insecure-bind', () => {
    for (const pod of pods) {
      const container = pod.spec!.containers[0]!;
      expect(container.args).toEqual(
        expect.arrayContaining([
          '--tls-cert',
          '/etc/flotilla/secret/tls.crt',
          '--tls-key',
          '/etc/flotilla/secret/tls.key',
          '--tls-ca',
          '/etc/flotilla/secret/ca.crt',
          '--tls-server-name',
          'flotilla-cluster-1.default.svc',
        ]),
      );
      expect(container.args).not.toContain('--insecure-bind');
      expect(container.readinessProbe!.exec!.command).toEqual(
        expect.arrayContaining([
          '--tls-ca',
          '/etc/flotilla/secret/ca.crt',
          '--tls-server-name',
          'flotilla-cluster-1.default.svc',
        ]),
      );
      expect(container.volumeMounts).toContainEqual({
        name: 'cluster-secret',
        mountPath: '/etc/flotilla/secret',
        readOnly: true,
      });
    }
  });

  it('keep --insecure-bind without TLS (a control plane without --tls-cert)', () => {
    expect(jobManagerPod(input()).spec!.containers[0]!.args).toContain('--insecure-bind');
    expect(jobManagerPod(input()).spec!.containers[0]!.args).not.toContain('--tls-cert');
  });

  it('hold the material only in the Secret, whose certificate names every spelling of the Service', () => {
    const tls = { certPem: 'CERT PEM', keyPem: 'KEY PEM', caPem: 'CA PEM' };
    const secret = clusterSecretObject(tlsInput, { clusterSecret: 's'.repeat(32), tls }, jobManager);
    const decoded = Object.fromEntries(
      Object.entries(secret.data!).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    expect(decoded).toEqual({
      'cluster-secret': 's'.repeat(32),
      'tls.crt': 'CERT PEM',
      'tls.key': 'KEY PEM',
      'ca.crt': 'CA PEM',
    });
    expect(JSON.stringify(pods)).not.toMatch(/PEM|BEGIN/);
    expect(jobManagerServiceNames('cluster-1', 'analytics')).toEqual([
      'DNS:flotilla-cluster-1',
      'DNS:flotilla-cluster-1.analytics',
      'DNS:flotilla-cluster-1.analytics.svc',
      'DNS:flotilla-cluster-1.analytics.svc.cluster.local',
    ]);
  });
});
