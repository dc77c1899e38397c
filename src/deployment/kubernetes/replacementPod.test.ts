import { describe, expect, it } from 'vitest';
import { jobManagerPod, taskExecutorPod, type ClusterObjectsInput } from './clusterObjects.js';
import { KUBERNETES_SETTINGS_DEFAULTS } from './KubernetesSettings.js';
import { replacementName, replacementPod, resourceIdOf } from './replacementPod.js';

const input: ClusterObjectsInput = {
  clusterId: 'cluster-1',
  tenant: '',
  settings: KUBERNETES_SETTINGS_DEFAULTS,
  taskExecutors: 2,
  slotsPerTaskExecutor: 2,
  heartbeat: { intervalMs: 1000, timeoutMs: 6000 },
  hasSecret: true,
};

describe('the pod replacing a lost task executor', () => {
  const owner = { ...jobManagerPod(input), metadata: { ...jobManagerPod(input).metadata, uid: 'uid-1' } };
  const lost = taskExecutorPod(input, 1, '10.244.0.2:6123', owner);
  // What the scheduler and the API server filled in.
  lost.spec!.nodeName = 'node-a';
  lost.metadata!.uid = 'uid-2';
  lost.status = { phase: 'Failed' };

  it('is the same member, owned by the job manager, registering under the same resource id, on any node', () => {
    const pod = replacementPod(lost, 'abc');
    expect(pod.metadata).toEqual({
      name: 'flotilla-cluster-1-taskexecutor-1-rabc',
      namespace: 'default',
      labels: lost.metadata!.labels,
      annotations: lost.metadata!.annotations,
      ownerReferences: [expect.objectContaining({ kind: 'Pod', uid: 'uid-1' })],
    });
    expect(pod.metadata!.labels!['flotilla.io/member']).toBe('taskexecutor-1');
    expect(resourceIdOf(pod)).toBe('cluster-1-taskexecutor-1');
    expect(pod.spec!.nodeName).toBeUndefined();
    expect(pod.spec!.containers).toEqual(lost.spec!.containers);
    expect(pod.status).toBeUndefined();
    // The lost pod's manifest is left as it was.
    expect(lost.spec!.nodeName).toBe('node-a');
  });

  it("of a replacement takes the member's name with a new suffix, not one suffix after another", () => {
    expect(replacementName('flotilla-cluster-1-taskexecutor-1-rabc', 'def')).toBe(
      'flotilla-cluster-1-taskexecutor-1-rdef',
    );
  });
});
