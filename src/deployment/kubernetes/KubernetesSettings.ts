/**
 * What a cluster's pods look like on Kubernetes: namespace, image, pull policy, service account,
 * the containers' resources, extra labels and annotations, node selector and tolerations. The
 * control plane's flags give the defaults (`--kubernetes-…`); an application (`flotilla run -kns …`)
 * or a shared cluster (`flotilla cluster start -ki …`) overrides them through its cluster's dynamic
 * properties, under Flink's option names (`kubernetes.namespace`, `kubernetes.container.image`, …),
 * so that nothing beyond a map of strings travels from the CLI to the target.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** A container's resources: what it requests; its limits are the same, cpus times the cpu limit factor. */
export interface ContainerResources {
  /** Cpus, such as 0.5. */
  cpus: number;
  /** Memory in mebibytes. */
  memoryMb: number;
}

/** A toleration, as the pod spec has it. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

/** The settings of a cluster's pods. */
export interface KubernetesSettings {
  namespace: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** The pods' service account; the namespace's default when empty. Its token is never mounted. */
  serviceAccount: string;
  jobManagerResources: ContainerResources;
  taskExecutorResources: ContainerResources;
  /** A container's cpu limit is its request times this (Flink's `kubernetes.*.cpu.limit-factor`); at least 1. */
  cpuLimitFactor: number;
  /** Added to every object of the cluster (the cluster's own labels win). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
}

/** The defaults where neither the control plane nor the cluster says. */
export const KUBERNETES_SETTINGS_DEFAULTS: KubernetesSettings = {
  namespace: 'default',
  image: 'flotilla:latest',
  imagePullPolicy: 'IfNotPresent',
  serviceAccount: '',
  jobManagerResources: { cpus: 0.5, memoryMb: 512 },
  taskExecutorResources: { cpus: 1, memoryMb: 1024 },
  cpuLimitFactor: 1,
  labels: {},
  annotations: {},
  nodeSelector: {},
  tolerations: [],
};

/** The dynamic properties (Flink's `kubernetes.*` option names) a cluster may set, and the flag each comes from. */
export const KUBERNETES_PROPERTIES = {
  namespace: 'kubernetes.namespace',
  image: 'kubernetes.container.image',
  imagePullPolicy: 'kubernetes.container.image.pull-policy',
  serviceAccount: 'kubernetes.service-account',
  jobManagerCpu: 'kubernetes.jobmanager.cpu',
  jobManagerMemory: 'kubernetes.jobmanager.memory',
  taskExecutorCpu: 'kubernetes.taskmanager.cpu',
  taskExecutorMemory: 'kubernetes.taskmanager.memory',
  cpuLimitFactor: 'kubernetes.cpu.limit-factor',
  labels: 'kubernetes.labels',
  annotations: 'kubernetes.annotations',
  nodeSelector: 'kubernetes.node-selector',
  tolerations: 'kubernetes.tolerations',
} as const;

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** Checks a pull policy's spelling; `source` names where it came from. */
export function imagePullPolicyOf(value: string, source: string): KubernetesSettings['imagePullPolicy'] {
  const policy = PULL_POLICIES.find((each) => each === value);
  if (!policy) throw new InvalidArgumentError(`${source} must be Always, IfNotPresent or Never, got "${value}"`);
  return policy;
}

/** A positive number of cpus or mebibytes; `source` names where it came from. */
export function positiveAmount(value: string, source: string): number {
  const amount = Number(value);
  if (!Number.isFinite(amount) || amount <= 0)
    throw new InvalidArgumentError(`${source} must be a positive number, got "${value}"`);
  return amount;
}

function cpuLimitFactorOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const factor = positiveAmount(value, KUBERNETES_PROPERTIES.cpuLimitFactor);
  if (factor < 1)
    throw new InvalidArgumentError(`${KUBERNETES_PROPERTIES.cpuLimitFactor} must be at least 1, got ${value}`);
  return factor;
}

/** `key1:value1,key2:value2` (Flink's map syntax; `=` is taken as well) as a record. */
export function parseKeyValues(text: string, source: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of text.split(',').filter((each) => each.trim() !== '')) {
    const match = /^\s*([^:=\s]+)\s*[:=]\s*(.*?)\s*$/.exec(pair);
    if (!match) throw new InvalidArgumentError(`${source}: "${pair}" is not KEY:VALUE`);
    result[match[1]!] = match[2]!;
  }
  return result;
}

/** Flink's toleration syntax, `key:k,operator:Equal,value:v,effect:NoSchedule;key:…`, as tolerations. */
export function parseTolerations(text: string, source: string): Toleration[] {
  return text
    .split(';')
    .filter((each) => each.trim() !== '')
    .map((each) => {
      const fields = parseKeyValues(each, source);
      const unknown = Object.keys(fields).filter((key) => !['key', 'operator', 'value', 'effect'].includes(key));
      if (unknown.length) throw new InvalidArgumentError(`${source}: unknown toleration field ${unknown.join(', ')}`);
      if (fields.operator !== undefined && fields.operator !== 'Exists' && fields.operator !== 'Equal')
        throw new InvalidArgumentError(
          `${source}: a toleration's operator is Exists or Equal, got "${fields.operator}"`,
        );
      return fields as Toleration;
    });
}

/**
 * The settings of one cluster: `base` (the control plane's) with what the cluster's dynamic
 * properties override. INVALID_ARGUMENT naming the property when one cannot be read.
 */
export function settingsForCluster(base: KubernetesSettings, properties: Record<string, string>): KubernetesSettings {
  const p = KUBERNETES_PROPERTIES;
  const get = (key: string) => {
    const value = properties[key];
    return value === undefined || value === '' ? undefined : value;
  };
  const amount = (key: string, fallback: number) => {
    const value = get(key);
    return value === undefined ? fallback : positiveAmount(value, key);
  };
  const pullPolicy = get(p.imagePullPolicy);
  const namespace = get(p.namespace) ?? base.namespace;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new InvalidArgumentError(`${p.namespace} must be a Kubernetes namespace name, got "${namespace}"`);
  return {
    namespace,
    image: get(p.image) ?? base.image,
    imagePullPolicy: pullPolicy ? imagePullPolicyOf(pullPolicy, p.imagePullPolicy) : base.imagePullPolicy,
    serviceAccount: get(p.serviceAccount) ?? base.serviceAccount,
    jobManagerResources: {
      cpus: amount(p.jobManagerCpu, base.jobManagerResources.cpus),
      memoryMb: amount(p.jobManagerMemory, base.jobManagerResources.memoryMb),
    },
    taskExecutorResources: {
      cpus: amount(p.taskExecutorCpu, base.taskExecutorResources.cpus),
      memoryMb: amount(p.taskExecutorMemory, base.taskExecutorResources.memoryMb),
    },
    cpuLimitFactor: cpuLimitFactorOf(get(p.cpuLimitFactor), base.cpuLimitFactor),
    labels: { ...base.labels, ...parseKeyValues(get(p.labels) ?? '', p.labels) },
    annotations: { ...base.annotations, ...parseKeyValues(get(p.annotations) ?? '', p.annotations) },
    nodeSelector: { ...base.nodeSelector, ...parseKeyValues(get(p.nodeSelector) ?? '', p.nodeSelector) },
    tolerations: [...base.tolerations, ...parseTolerations(get(p.tolerations) ?? '', p.tolerations)],
  };
}

/**
 * The task executors' container size for a cluster: `requested` (the control plane's size, made
 * large enough for a driver that does not fit a default slot) where given, except that a
 * `kubernetes.taskmanager.cpu` / `.memory` the cluster sets itself (`-ktm`) is kept when larger;
 * `settings`' size when nothing was requested.
 */
export function taskExecutorSizeFor(
  requested: ContainerResources | undefined,
  settings: KubernetesSettings,
  properties: Record<string, string>,
): ContainerResources | undefined {
  if (!requested) return undefined;
  const own = settings.taskExecutorResources;
  const p = KUBERNETES_PROPERTIES;
  return {
    cpus: properties[p.taskExecutorCpu] === undefined ? requested.cpus : Math.max(requested.cpus, own.cpus),
    memoryMb:
      properties[p.taskExecutorMemory] === undefined ? requested.memoryMb : Math.max(requested.memoryMb, own.memoryMb),
  };
}
