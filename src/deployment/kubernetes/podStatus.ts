/**
 * What a pod's status means for a cluster: the member's liveness and exit reason as the deployment
 * port has them, the step of its start a person would want to hear of (scheduled, pulling the
 * image, running), and the conditions that mean it will never start (an image that cannot be
 * pulled, a pod no node can take, a container that keeps crashing or was OOM-killed), each named
 * with the pod and Kubernetes' own reason.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { MemberPhase } from '../DeploymentTarget.js';

/** Waiting reasons after which the container will not start without a change by a person. */
const HOPELESS_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

function mainContainer(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((status) => status.name === 'flotilla');
}

/** How the member's container ended, such as "exited with code 137 (OOMKilled)"; undefined while it has not. */
export function terminationOf(pod: V1Pod): string | undefined {
  const terminated = mainContainer(pod)?.state?.terminated;
  if (terminated) {
    const reason = terminated.reason && terminated.reason !== 'Error' ? ` (${terminated.reason})` : '';
    return terminated.signal
      ? `was killed by signal ${terminated.signal}${reason}`
      : `exited with code ${terminated.exitCode}${reason}`;
  }
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')
    return `ended ${pod.status.phase}${pod.status.reason ? ` (${pod.status.reason}: ${pod.status.message ?? ''})` : ''}`;
  return undefined;
}

/** The member's liveness as the port has it. */
export function memberPhaseOf(pod: V1Pod): MemberPhase {
  if (terminationOf(pod) !== undefined) return 'exited';
  if (pod.status?.phase === 'Running' && mainContainer(pod)?.state?.running) return 'running';
  if (pod.status?.phase === 'Unknown') return 'unknown';
  return 'starting';
}

/** Why the pod will not start, naming it and Kubernetes' reason; undefined while it may still. */
export function hopelessReason(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? 'a pod';
  const status = mainContainer(pod);
  const waiting = status?.state?.waiting;
  if (waiting?.reason && HOPELESS_WAITING.has(waiting.reason)) {
    const image = waiting.reason.includes('Image') ? ` (image ${status?.image ?? pod.spec?.containers[0]?.image})` : '';
    return `pod ${name}: ${waiting.reason}${image}: ${waiting.message ?? ''}`.trimEnd();
  }
  const ended = terminationOf(pod);
  if (ended) return `pod ${name} ${ended}`;
  return undefined;
}

/** Why no node takes the pod, when that is so (the scheduler's message); undefined otherwise. */
export function unschedulableReason(pod: V1Pod): string | undefined {
  const condition = pod.status?.conditions?.find((each) => each.type === 'PodScheduled');
  if (condition?.status === 'False' && condition.reason === 'Unschedulable')
    return `pod ${pod.metadata?.name}: Unschedulable: ${condition.message ?? ''}`.trimEnd();
  return undefined;
}

/** The step of its start the pod is at, as one short sentence; the same sentence for the same step. */
export function startStepOf(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name;
  const status = mainContainer(pod);
  const terminated = terminationOf(pod);
  if (terminated) return `pod ${name} ${terminated}`;
  const waiting = status?.state?.waiting?.reason;
  if (waiting === 'CrashLoopBackOff') return `pod ${name} is crash-looping`;
  if (waiting && waiting !== 'ContainerCreating') return `pod ${name}: ${waiting}`;
  if (status?.state?.running) return `pod ${name} is running on ${pod.spec?.nodeName ?? 'its node'}`;
  if (unschedulableReason(pod)) return `pod ${name} cannot be scheduled yet`;
  if (pod.spec?.nodeName) return `pod ${name} was scheduled on ${pod.spec.nodeName}; starting its container`;
  return undefined;
}
