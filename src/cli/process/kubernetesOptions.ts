/**
 * The control plane's options for `--deployment-target kubernetes`: where the API server is
 * (`--kubernetes-config`, else KUBECONFIG, the in-cluster service account or ~/.kube/config) and
 * the defaults of every cluster's pods, which an application or a shared cluster may override with
 * its `kubernetes.*` properties (src/deployment/kubernetes/KubernetesSettings.ts).
 */
import {
  imagePullPolicyOf,
  KUBERNETES_SETTINGS_DEFAULTS,
  parseKeyValues,
  parseTolerations,
  positiveAmount,
  settingsForCluster,
  type KubernetesSettings,
} from '../../deployment/kubernetes/KubernetesSettings.js';
import type { ControlPlaneOptions } from '../../controlplane/controlPlane.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';

const D = KUBERNETES_SETTINGS_DEFAULTS;
const KUBERNETES = 'With --deployment-target kubernetes:';

const value = (name: string, valueName: string, description: string, fallback?: string | number): OptionSpec => ({
  name,
  type: 'string',
  valueName,
  description: `${KUBERNETES} ${description}`,
  ...(fallback === undefined ? {} : { default: String(fallback) }),
});

const list = (name: string, valueName: string, description: string): OptionSpec => ({
  name,
  type: 'list',
  valueName,
  description: `${KUBERNETES} ${description} (repeatable).`,
});

/** The `--kubernetes-…` options of the control plane. */
export const KUBERNETES_OPTIONS: readonly OptionSpec[] = [
  value(
    'kubernetes-config',
    'FILE',
    'the kubeconfig of the API server and the identity clusters are deployed with; KUBECONFIG, the in-cluster service account, or ~/.kube/config when not given.',
  ),
  value('kubernetes-namespace', 'NAME', "the namespace of the clusters' objects.", D.namespace),
  value(
    'kubernetes-image',
    'IMAGE',
    "the image the clusters' pods run (build it with the Dockerfile and push it to your registry).",
    D.image,
  ),
  value('kubernetes-image-pull-policy', 'POLICY', 'Always, IfNotPresent or Never.', D.imagePullPolicy),
  value(
    'kubernetes-service-account',
    'NAME',
    "the pods' service account (its token is never mounted); the namespace's default when not given.",
  ),
  value('kubernetes-jobmanager-cpu', 'CPUS', "the job manager container's cpu request.", D.jobManagerResources.cpus),
  value(
    'kubernetes-jobmanager-memory',
    'MB',
    "the job manager container's memory request and limit, in MiB.",
    D.jobManagerResources.memoryMb,
  ),
  value(
    'kubernetes-taskexecutor-cpu',
    'CPUS',
    "a task executor container's cpu request, unless the cluster's size says.",
    D.taskExecutorResources.cpus,
  ),
  value(
    'kubernetes-taskexecutor-memory',
    'MB',
    "a task executor container's memory request and limit, in MiB, unless the cluster's size says.",
    D.taskExecutorResources.memoryMb,
  ),
  value(
    'kubernetes-cpu-limit-factor',
    'FACTOR',
    "a container's cpu limit is its request times this.",
    D.cpuLimitFactor,
  ),
  list('kubernetes-label', 'KEY=VALUE', "a label on every object of the clusters, beside Flotilla's own"),
  list('kubernetes-annotation', 'KEY=VALUE', 'an annotation on every object of the clusters'),
  list('kubernetes-node-selector', 'KEY=VALUE', "a node label the clusters' pods must run on"),
  list(
    'kubernetes-toleration',
    'key:K,operator:Equal,value:V,effect:NoSchedule',
    "a toleration of the clusters' pods, in Flink's syntax",
  ),
  value(
    'kubernetes-node-log-dir',
    'DIR',
    "where a control plane that runs on the clusters' node reads their logs (/var/log/pods) when the API server cannot serve them; through the API only when not given.",
  ),
];

/** The settings and kubeconfig from the command line; a usage error naming the flag when one is wrong. */
export function kubernetesOptionsOf(args: ParsedCommandLine): NonNullable<ControlPlaneOptions['kubernetes']> {
  const text = (name: string) => (args.options[name] as string | undefined) || undefined;
  const pairs = (name: string) => parseKeyValues(((args.options[name] as string[]) ?? []).join(','), `--${name}`);
  try {
    const settings: KubernetesSettings = {
      namespace: text('kubernetes-namespace') ?? D.namespace,
      image: text('kubernetes-image') ?? D.image,
      imagePullPolicy: imagePullPolicyOf(
        text('kubernetes-image-pull-policy') ?? D.imagePullPolicy,
        '--kubernetes-image-pull-policy',
      ),
      serviceAccount: text('kubernetes-service-account') ?? '',
      jobManagerResources: {
        cpus: positiveAmount(text('kubernetes-jobmanager-cpu') ?? '', '--kubernetes-jobmanager-cpu'),
        memoryMb: positiveAmount(text('kubernetes-jobmanager-memory') ?? '', '--kubernetes-jobmanager-memory'),
      },
      taskExecutorResources: {
        cpus: positiveAmount(text('kubernetes-taskexecutor-cpu') ?? '', '--kubernetes-taskexecutor-cpu'),
        memoryMb: positiveAmount(text('kubernetes-taskexecutor-memory') ?? '', '--kubernetes-taskexecutor-memory'),
      },
      cpuLimitFactor: positiveAmount(text('kubernetes-cpu-limit-factor') ?? '', '--kubernetes-cpu-limit-factor'),
      labels: pairs('kubernetes-label'),
      annotations: pairs('kubernetes-annotation'),
      nodeSelector: pairs('kubernetes-node-selector'),
      tolerations: ((args.options['kubernetes-toleration'] as string[]) ?? []).flatMap((each) =>
        parseTolerations(each, '--kubernetes-toleration'),
      ),
    };
    // The same checks a cluster's own properties get (namespace name, limit factor).
    settingsForCluster(settings, {});
    if (settings.cpuLimitFactor < 1) throw new Error('--kubernetes-cpu-limit-factor must be at least 1');
    return { kubeconfig: text('kubernetes-config'), settings, nodeLogDir: text('kubernetes-node-log-dir') };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
