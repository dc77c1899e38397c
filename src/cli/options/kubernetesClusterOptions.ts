/**
 * The Kubernetes settings of one cluster deployed for an application (`flotilla run`) or shared
 * (`flotilla cluster start`), with FLIP-40's spellings as aliases (`-kms`, `-kns`, `-ki`, `-kjm`,
 * `-ktm`, `-ksa`, `-kD`; `-kn` and `-ks` are aliases of --task-executors and --slots). They travel
 * as the cluster's dynamic properties under Flink's option names (`kubernetes.namespace`, …), which
 * the control plane's Kubernetes target reads over its own defaults; other targets ignore them.
 */
import { UsageError, type OptionSpec, type ParsedCommandLine } from './args.js';

/** Each option and the property it sets. */
const SETTINGS: readonly { option: OptionSpec; property: string }[] = [
  {
    property: 'kubernetes.master',
    option: {
      name: 'kubernetes-master',
      aliases: ['-kms'],
      type: 'string',
      valueName: 'URL',
      description:
        "The API server the cluster must be deployed to (FLIP-40's -kms); refused unless it is the control plane's own.",
    },
  },
  {
    property: 'kubernetes.namespace',
    option: {
      name: 'kubernetes-namespace',
      aliases: ['-kns'],
      type: 'string',
      valueName: 'NAME',
      description: "The namespace of the cluster's pods, Service and Secret.",
    },
  },
  {
    property: 'kubernetes.container.image',
    option: {
      name: 'kubernetes-image',
      aliases: ['-ki'],
      type: 'string',
      valueName: 'IMAGE',
      description: "The image of the cluster's pods.",
    },
  },
  {
    property: 'kubernetes.container.image.pull-policy',
    option: {
      name: 'kubernetes-image-pull-policy',
      type: 'string',
      valueName: 'POLICY',
      description: 'The image pull policy: Always, IfNotPresent or Never.',
    },
  },
  {
    property: 'kubernetes.service-account',
    option: {
      name: 'kubernetes-service-account',
      aliases: ['-ksa'],
      type: 'string',
      valueName: 'NAME',
      description: "The service account of the cluster's pods.",
    },
  },
  {
    property: 'kubernetes.jobmanager.memory',
    option: {
      name: 'kubernetes-jobmanager-memory',
      aliases: ['-kjm'],
      type: 'string',
      valueName: 'MB',
      description: "The job manager container's memory, in MiB.",
    },
  },
  {
    property: 'kubernetes.taskmanager.memory',
    option: {
      name: 'kubernetes-taskexecutor-memory',
      aliases: ['-ktm'],
      type: 'string',
      valueName: 'MB',
      description: "Each task executor container's memory, in MiB.",
    },
  },
];

/** The options, for a command's spec. */
export const KUBERNETES_CLUSTER_OPTIONS: readonly OptionSpec[] = [
  ...SETTINGS.map(({ option }) => ({
    ...option,
    description: `On a Kubernetes control plane: ${option.description.charAt(0).toLowerCase()}${option.description.slice(1)}`,
  })),
  {
    name: 'kubernetes-property',
    type: 'properties',
    prefix: '-kD',
    description:
      "A dynamic property of the deployed cluster, such as -kDkubernetes.node-selector=disk:ssd (FLIP-40's -kD; repeatable).",
  },
];

/** The cluster properties the options give; empty when none was given. */
export function kubernetesPropertiesOf(options: ParsedCommandLine['options']): Record<string, string> {
  const properties: Record<string, string> = {
    ...((options['kubernetes-property'] as Record<string, string> | undefined) ?? {}),
  };
  for (const { option, property } of SETTINGS) {
    const value = options[option.name] as string | undefined;
    if (value !== undefined) properties[property] = value;
  }
  return properties;
}

/** A usage error when cluster properties were given for a cluster that is not deployed for this command. */
export function refuseKubernetesPropertiesFor(options: ParsedCommandLine['options'], what: string): void {
  if (Object.keys(kubernetesPropertiesOf(options)).length > 0)
    throw new UsageError(
      `the --kubernetes-* (-k…) options describe a cluster to deploy; ${what} names one that runs already`,
    );
}
