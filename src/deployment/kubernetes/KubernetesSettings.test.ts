import { describe, expect, it } from 'vitest';
import {
  KUBERNETES_SETTINGS_DEFAULTS,
  parseTolerations,
  settingsForCluster,
  taskExecutorSizeFor,
} from './KubernetesSettings.js';

describe('settingsForCluster', () => {
  const base = { ...KUBERNETES_SETTINGS_DEFAULTS, labels: { team: 'data' }, nodeSelector: { zone: 'a' } };

  it("takes the control plane's settings where the cluster's properties say nothing", () => {
    expect(settingsForCluster(base, {})).toEqual(base);
  });

  it("overrides them with the cluster's kubernetes.* properties under Flink's names, merging maps", () => {
    const settings = settingsForCluster(base, {
      'kubernetes.namespace': 'analytics',
      'kubernetes.container.image': 'registry.example.com/flotilla:1',
      'kubernetes.container.image.pull-policy': 'Always',
      'kubernetes.service-account': 'runner',
      'kubernetes.jobmanager.cpu': '0.25',
      'kubernetes.taskmanager.memory': '2048',
      'kubernetes.cpu.limit-factor': '2',
      'kubernetes.labels': 'app:wordcount,tier:batch',
      'kubernetes.node-selector': 'disk=ssd',
      'kubernetes.tolerations': 'key:dedicated,operator:Equal,value:flotilla,effect:NoSchedule',
      'unrelated.property': 'ignored',
    });
    expect(settings).toMatchObject({
      namespace: 'analytics',
      image: 'registry.example.com/flotilla:1',
      imagePullPolicy: 'Always',
      serviceAccount: 'runner',
      jobManagerResources: { cpus: 0.25, memoryMb: 512 },
      taskExecutorResources: { cpus: 1, memoryMb: 2048 },
      cpuLimitFactor: 2,
      labels: { team: 'data', app: 'wordcount', tier: 'batch' },
      nodeSelector: { zone: 'a', disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'flotilla', effect: 'NoSchedule' }],
    });
  });

  it('refuses what Kubernetes would, naming the property', () => {
    expect(() => settingsForCluster(base, { 'kubernetes.container.image.pull-policy': 'Sometimes' })).toThrow(
      'kubernetes.container.image.pull-policy must be Always, IfNotPresent or Never, got "Sometimes"',
    );
    expect(() => settingsForCluster(base, { 'kubernetes.taskmanager.memory': '-1' })).toThrow(
      'kubernetes.taskmanager.memory must be a positive number, got "-1"',
    );
    expect(() => settingsForCluster(base, { 'kubernetes.cpu.limit-factor': '0.5' })).toThrow(
      'kubernetes.cpu.limit-factor must be at least 1, got 0.5',
    );
    expect(() => settingsForCluster(base, { 'kubernetes.labels': 'novalue' })).toThrow(
      'kubernetes.labels: "novalue" is not KEY:VALUE',
    );
  });
});

describe('parseTolerations', () => {
  it("reads Flink's syntax, several separated by ';', and refuses an unknown field or operator", () => {
    expect(parseTolerations('key:a,operator:Exists;key:b,operator:Equal,value:c,effect:NoExecute', 'flag')).toEqual([
      { key: 'a', operator: 'Exists' },
      { key: 'b', operator: 'Equal', value: 'c', effect: 'NoExecute' },
    ]);
    expect(() => parseTolerations('colour:red', 'flag')).toThrow('flag: unknown toleration field colour');
    expect(() => parseTolerations('key:a,operator:Near', 'flag')).toThrow(
      'flag: a toleration\'s operator is Exists or Equal, got "Near"',
    );
  });
});

describe('taskExecutorSizeFor', () => {
  const base = KUBERNETES_SETTINGS_DEFAULTS;

  it("is the settings' size (undefined) when the control plane asks for none", () => {
    const properties = { 'kubernetes.taskmanager.memory': '4096' };
    expect(taskExecutorSizeFor(undefined, settingsForCluster(base, properties), properties)).toBeUndefined();
  });

  it('keeps a larger -ktm over the size made for a driver that did not fit a default slot', () => {
    const properties = { 'kubernetes.taskmanager.memory': '4096' };
    const size = taskExecutorSizeFor({ cpus: 2, memoryMb: 1500 }, settingsForCluster(base, properties), properties);
    expect(size).toEqual({ cpus: 2, memoryMb: 4096 });
  });

  it("takes the driver's size where the cluster's own setting is smaller or absent", () => {
    const properties = { 'kubernetes.taskmanager.cpu': '1', 'kubernetes.taskmanager.memory': '1024' };
    const size = taskExecutorSizeFor({ cpus: 2, memoryMb: 3000 }, settingsForCluster(base, properties), properties);
    expect(size).toEqual({ cpus: 2, memoryMb: 3000 });
    // Without a property of its own, the request is taken as it is, even below the control plane's default.
    expect(taskExecutorSizeFor({ cpus: 0.5, memoryMb: 512 }, base, {})).toEqual({ cpus: 0.5, memoryMb: 512 });
  });
});
