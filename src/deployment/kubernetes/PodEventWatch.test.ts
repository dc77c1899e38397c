import type { CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isPodOfCluster, pullStepOf } from './PodEventWatch.js';

const POD = 'flotilla-cluster-1-jobmanager';
const IMAGE = '127.0.0.1:5000/flotilla:0.1.0';

/** An Event as the kubelet writes it about a pod's container. */
function kubeletEvent(reason: string, message: string, kind = 'Pod'): CoreV1Event {
  return {
    metadata: { name: `${POD}.1780f1c2d3e4f5a6` },
    involvedObject: { kind, name: POD, namespace: 'default', fieldPath: 'spec.containers{flotilla}' },
    reason,
    message,
    type: reason === 'Failed' ? 'Warning' : 'Normal',
    source: { component: 'kubelet', host: 'node-a' },
  };
}

describe('the image steps of the kubelet’s Events', () => {
  it('tells a pull beginning and a pull done, naming the pod and the image', () => {
    expect(pullStepOf(kubeletEvent('Pulling', `Pulling image "${IMAGE}"`))).toBe(`pod ${POD}: pulling image ${IMAGE}`);
    expect(pullStepOf(kubeletEvent('Pulled', `Successfully pulled image "${IMAGE}" in 2.134567s`))).toBe(
      `pod ${POD}: pulled image ${IMAGE} in 2.134567s`,
    );
  });

  it('leaves out an image already there, other reasons and other objects', () => {
    expect(pullStepOf(kubeletEvent('Pulled', `Container image "${IMAGE}" already present on machine`))).toBeUndefined();
    expect(pullStepOf(kubeletEvent('Created', 'Created container flotilla'))).toBeUndefined();
    expect(pullStepOf(kubeletEvent('Pulling', `Pulling image "${IMAGE}"`, 'Node'))).toBeUndefined();
  });

  it('keeps to the cluster’s own pods: its job manager, its task executors and their replacements', () => {
    for (const pod of [
      'flotilla-cluster-1-jobmanager',
      'flotilla-cluster-1-taskexecutor-0',
      'flotilla-cluster-1-taskexecutor-12',
      'flotilla-cluster-1-taskexecutor-0-rlx2k9',
    ])
      expect(isPodOfCluster(pod, 'cluster-1'), pod).toBe(true);
    for (const pod of [
      'flotilla-cluster-1-x-jobmanager',
      'flotilla-cluster-1-x-taskexecutor-0',
      'flotilla-cluster-10-taskexecutor-0',
      'flotilla-cluster-1-taskexecutor-',
      'other-pod',
    ])
      expect(isPodOfCluster(pod, 'cluster-1'), pod).toBe(false);
  });
});
