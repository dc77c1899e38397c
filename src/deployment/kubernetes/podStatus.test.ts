import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { hopelessReason, memberPhaseOf, startStepOf, terminationOf, unschedulableReason } from './podStatus.js';

const NAME = 'flotilla-cluster-1-taskexecutor-0';
const IMAGE = 'registry.example.com/flotilla:0.1.0';

/** A pod as the API server holds it once created: no node, no status but Pending. */
function pod(status: V1Pod['status'] = { phase: 'Pending' }, nodeName?: string): V1Pod {
  return {
    metadata: { name: NAME, labels: { 'flotilla.io/member': 'taskexecutor-0' } },
    spec: { nodeName, containers: [{ name: 'flotilla', image: IMAGE }] },
    status,
  };
}

/** The main container's status as the kubelet writes it. */
function container(state: V1ContainerStatus['state'], restartCount = 0): V1ContainerStatus {
  return { name: 'flotilla', image: IMAGE, imageID: '', ready: false, restartCount, state };
}

/** Written by the kubelet while the container is being made or waits. */
const waiting = (reason: string, message?: string) =>
  pod(
    {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [container({ waiting: { reason, message } })],
    },
    'node-a',
  );

describe('what a pod’s status means for its member', () => {
  it('a new pod no scheduler looked at yet: starting, no step to tell, nothing hopeless', () => {
    const created = pod();
    expect(memberPhaseOf(created)).toBe('starting');
    expect(startStepOf(created)).toBeUndefined();
    expect(hopelessReason(created)).toBeUndefined();
    expect(unschedulableReason(created)).toBeUndefined();
  });

  it('scheduled (the scheduler bound it; the kubelet has not made its container): scheduled, starting its container', () => {
    const scheduled = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }, 'node-a');
    expect(startStepOf(scheduled)).toBe(`pod ${NAME} was scheduled on node-a; starting its container`);
    // ContainerCreating is the same step, not a new one.
    expect(startStepOf(waiting('ContainerCreating'))).toBe(startStepOf(scheduled));
    expect(memberPhaseOf(scheduled)).toBe('starting');
  });

  it('running: its container runs on its node', () => {
    const running = pod(
      {
        phase: 'Running',
        podIP: '10.244.0.7',
        containerStatuses: [container({ running: { startedAt: new Date('2026-12-07T20:00:00Z') } })],
      },
      'node-a',
    );
    expect(memberPhaseOf(running)).toBe('running');
    expect(startStepOf(running)).toBe(`pod ${NAME} is running on node-a`);
    expect(hopelessReason(running)).toBeUndefined();
  });

  it('unschedulable (the scheduler’s PodScheduled condition): cannot be scheduled yet, with the scheduler’s message', () => {
    const unschedulable = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match node selector.",
        },
      ],
    });
    expect(unschedulableReason(unschedulable)).toBe(
      `pod ${NAME}: Unschedulable: 0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match node selector.`,
    );
    expect(startStepOf(unschedulable)).toBe(`pod ${NAME} cannot be scheduled yet`);
    // Only a wait makes it hopeless (unschedulableTimeoutMs): a node may come.
    expect(hopelessReason(unschedulable)).toBeUndefined();
    expect(memberPhaseOf(unschedulable)).toBe('starting');
  });

  it('image not found (ErrImagePull, ImagePullBackOff, ErrImageNeverPull): hopeless, naming the pod, the reason and the image', () => {
    const message = `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": not found`;
    expect(hopelessReason(waiting('ErrImagePull', message))).toBe(
      `pod ${NAME}: ErrImagePull (image ${IMAGE}): ${message}`,
    );
    expect(startStepOf(waiting('ErrImagePull', message))).toBe(`pod ${NAME}: ErrImagePull`);
    expect(hopelessReason(waiting('ImagePullBackOff', `Back-off pulling image "${IMAGE}"`))).toBe(
      `pod ${NAME}: ImagePullBackOff (image ${IMAGE}): Back-off pulling image "${IMAGE}"`,
    );
    expect(
      hopelessReason(
        waiting('ErrImageNeverPull', `Container image "${IMAGE}" is not present with pull policy of Never`),
      ),
    ).toContain(`pod ${NAME}: ErrImageNeverPull (image ${IMAGE})`);
    expect(memberPhaseOf(waiting('ErrImagePull'))).toBe('starting');
  });

  it('a container that cannot be made (a missing Secret): hopeless with the kubelet’s message and no image', () => {
    expect(hopelessReason(waiting('CreateContainerConfigError', 'secret "flotilla-cluster-1" not found'))).toBe(
      `pod ${NAME}: CreateContainerConfigError: secret "flotilla-cluster-1" not found`,
    );
  });

  it('crash-looping (restarted, waiting in CrashLoopBackOff): crash-looping, hopeless', () => {
    const crashLooping = pod(
      {
        phase: 'Running',
        containerStatuses: [
          {
            ...container(
              {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 40s restarting failed container=flotilla pod=…',
                },
              },
              3,
            ),
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      },
      'node-a',
    );
    expect(startStepOf(crashLooping)).toBe(`pod ${NAME} is crash-looping`);
    expect(hopelessReason(crashLooping)).toBe(
      `pod ${NAME}: CrashLoopBackOff: back-off 40s restarting failed container=flotilla pod=…`,
    );
    expect(memberPhaseOf(crashLooping)).toBe('starting');
  });

  it('OOM-killed (terminated with 137, reason OOMKilled): exited, with the code and the reason', () => {
    const oomKilled = pod(
      {
        phase: 'Failed',
        containerStatuses: [container({ terminated: { exitCode: 137, reason: 'OOMKilled' } })],
      },
      'node-a',
    );
    expect(terminationOf(oomKilled)).toBe('exited with code 137 (OOMKilled)');
    expect(memberPhaseOf(oomKilled)).toBe('exited');
    expect(startStepOf(oomKilled)).toBe(`pod ${NAME} exited with code 137 (OOMKilled)`);
    expect(hopelessReason(oomKilled)).toBe(`pod ${NAME} exited with code 137 (OOMKilled)`);
  });

  it('exited with an error or killed by a signal: the code, the signal; the kubelet’s plain "Error" is left out', () => {
    const failed = pod({
      phase: 'Failed',
      containerStatuses: [container({ terminated: { exitCode: 1, reason: 'Error' } })],
    });
    expect(terminationOf(failed)).toBe('exited with code 1');
    const signalled = pod({
      phase: 'Failed',
      containerStatuses: [container({ terminated: { exitCode: 0, signal: 9, reason: 'Error' } })],
    });
    expect(terminationOf(signalled)).toBe('was killed by signal 9');
  });

  it('a pod the kubelet failed as a whole (evicted, its node lost): ended Failed with the reason and message', () => {
    const evicted = pod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
    });
    expect(terminationOf(evicted)).toBe('ended Failed (Evicted: The node was low on resource: memory.)');
    expect(memberPhaseOf(evicted)).toBe('exited');
    expect(memberPhaseOf(pod({ phase: 'Unknown' }))).toBe('unknown');
  });
});
