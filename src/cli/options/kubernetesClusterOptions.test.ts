import { describe, expect, it } from 'vitest';
import { clusterStartCommand } from '../commands/cluster.js';
import { runCommand } from '../commands/run.js';
import { parseCommandLine } from './args.js';
import { deployedCluster } from './applicationRequest.js';
import { kubernetesPropertiesOf } from './kubernetesClusterOptions.js';

/** Every FLIP-40 -k… spelling, with a value, and the cluster property (Flink's option name) it must set. */
const ALIASES: ReadonlyArray<readonly [string[], string, string]> = [
  [['-kms', 'https://10.0.0.1:6443'], 'kubernetes.master', 'https://10.0.0.1:6443'],
  [['-kns', 'analytics'], 'kubernetes.namespace', 'analytics'],
  [['-ki', 'registry.example.com/flotilla:1'], 'kubernetes.container.image', 'registry.example.com/flotilla:1'],
  [['-kjm', '768'], 'kubernetes.jobmanager.memory', '768'],
  [['-ktm', '2048'], 'kubernetes.taskmanager.memory', '2048'],
  [['-ksa', 'runner'], 'kubernetes.service-account', 'runner'],
  [['--kubernetes-image-pull-policy', 'Always'], 'kubernetes.container.image.pull-policy', 'Always'],
  [['-kDkubernetes.node-selector=disk:ssd'], 'kubernetes.node-selector', 'disk:ssd'],
];

describe('the -k… options (FLIP-40 spellings)', () => {
  const words = ALIASES.flatMap(([argv]) => argv);
  const expected = Object.fromEntries(ALIASES.map(([, property, value]) => [property, value]));

  it('reach the cluster deployed by flotilla run as its kubernetes.* properties, with -kn and -ks its size', () => {
    const args = parseCommandLine(runCommand, ['-D', ...words, '-kn', '3', '-ks', '4', 'bundle'], {});
    expect(deployedCluster(args.options)).toEqual({
      kind: 'deploy',
      taskExecutors: 3,
      slotsPerTaskExecutor: 4,
      properties: expected,
    });
  });

  it('reach a cluster started by flotilla cluster start the same way', () => {
    const args = parseCommandLine(clusterStartCommand, [...words, '-kn', '2', '-ks', '2'], {});
    expect(kubernetesPropertiesOf(args.options)).toEqual(expected);
    expect([args.options['task-executors'], args.options.slots]).toEqual([2, 2]);
  });
});
