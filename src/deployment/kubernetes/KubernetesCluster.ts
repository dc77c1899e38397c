/**
 * A cluster on Kubernetes, found by its labels in its namespace (never by what a control plane
 * remembers): its members are its pods, the job manager's pod says how many task executors the
 * cluster was deployed with, and a member whose pod is gone has ended. Tearing it down asks the job
 * manager to shut the cluster down, then deletes every object of the cluster and waits until no
 * pod of it is left.
 *
 * While the control plane follows a running cluster, a task executor whose pod ends (deleted,
 * OOM-killed, lost with its node) gets a new pod, once the job manager has declared it lost
 * (heartbeats) and has had its say on what that means: a loss that ends the application (the
 * driver's task executor in driver mode: DriverLostError) tears the cluster down, and nothing is
 * replaced; otherwise jobs restart as their restart strategies allow, on the new pod's slots.
 */
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  memberName,
  type ClusterHandle,
  type ClusterMember,
  type ConnectJobManager,
  type MemberStatus,
  type ReadLogOptions,
} from '../DeploymentTarget.js';
import { ANNOTATIONS, clusterSelector, LABELS, PORTS } from './clusterObjects.js';
import { deleteClusterObjects } from './deleteClusterObjects.js';
import { PodEventWatch } from './PodEventWatch.js';
import { memberPhaseOf, startStepOf, terminationOf } from './podStatus.js';
import { PodWatch } from './PodWatch.js';
import { statusCodeOf } from './ResourceWatch.js';
import type { PodLogs } from './PodLogs.js';
import { replacementPod, resourceIdOf } from './replacementPod.js';

/** What a Kubernetes cluster handle needs. */
export interface KubernetesClusterOptions {
  clusterId: string;
  /** Where the API server is, for watches. */
  config: KubeConfig;
  /** `<namespace>/<cluster id>`; empty when the deployment never recorded one. */
  reference: string;
  core: CoreV1Api;
  logs: PodLogs;
  connect: ConnectJobManager;
  clusterSecret?: string;
  /** The name the cluster's TLS certificate carries (its job manager's Service), checked when dialing its pod IP; none without TLS. */
  tlsServerName?: string;
  logger: Logger;
  /** The job manager's heartbeat timeout in milliseconds (default 6 s): how long it may take to declare a task executor lost. */
  heartbeatTimeoutMs?: number;
}

/** How long the job manager may take to declare a task executor lost once its pod ended (heartbeat timeout and more). */
const LOSS_DECLARED_WITHIN_MS = 60_000;
/**
 * How long after the job manager stopped counting the task executor a replacement waits for the
 * application's verdict (a teardown), beyond the heartbeat timeout: a task executor whose connection
 * broke leaves the registered list at once, but the job manager declares its tasks (a driver among
 * them) lost only when its heartbeats time out.
 */
const VERDICT_WAIT_MS = 3000;

/** How much of a log is read when the caller does not say. */
const DEFAULT_LOG_TAIL_BYTES = 64 * 1024;

/** The namespace of a reference `<namespace>/<cluster id>`; undefined for an empty one. */
export function namespaceOf(reference: string): string | undefined {
  const slash = reference.indexOf('/');
  return slash > 0 ? reference.slice(0, slash) : undefined;
}

/** A cluster's pods, by member name. */
async function podsOf(core: CoreV1Api, namespace: string, clusterId: string): Promise<Map<string, V1Pod>> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: clusterSelector(clusterId) });
  return new Map(list.items.map((pod) => [pod.metadata?.labels?.[LABELS.member] ?? pod.metadata!.name!, pod]));
}

/** A Kubernetes cluster. */
export class KubernetesCluster implements ClusterHandle {
  private stopping: Promise<void> | undefined;
  private killed = false;

  constructor(private readonly options: KubernetesClusterOptions) {}

  get clusterId(): string {
    return this.options.clusterId;
  }

  get reference(): string {
    return this.options.reference;
  }

  private get namespace(): string | undefined {
    return namespaceOf(this.options.reference);
  }

  async members(): Promise<MemberStatus[]> {
    const namespace = this.namespace;
    if (!namespace) return [];
    const pods = await podsOf(this.options.core, namespace, this.clusterId);
    if (pods.size === 0) return [];
    const jobManager = pods.get('jobmanager');
    const counted = Number(jobManager?.metadata?.annotations?.[ANNOTATIONS.taskExecutors] ?? NaN);
    const indexes = [...pods.keys()].map((name) => /^taskexecutor-(\d+)$/.exec(name)?.[1]).filter(Boolean);
    const taskExecutors = Number.isInteger(counted) ? counted : Math.max(0, ...indexes.map((i) => Number(i) + 1));
    const members: ClusterMember[] = [
      { role: 'jobmanager', index: 0 },
      ...Array.from({ length: taskExecutors }, (_, index) => ({ role: 'taskexecutor' as const, index })),
    ];
    return members.map((member) => {
      const name = memberName(member);
      const pod = pods.get(name);
      if (!pod) return { ...member, name, phase: 'exited', exitReason: 'its pod was deleted' };
      const phase = memberPhaseOf(pod);
      return phase === 'exited'
        ? { ...member, name, phase, exitReason: terminationOf(pod) }
        : { ...member, name, phase };
    });
  }

  async readLog(member: ClusterMember, options: ReadLogOptions = {}): Promise<string> {
    const known = (await this.members()).some((each) => each.role === member.role && each.index === member.index);
    if (!known)
      throw new NotFoundError(`cluster ${this.clusterId} has no ${member.role} ${member.index} on Kubernetes`);
    const pod = (await podsOf(this.options.core, this.namespace!, this.clusterId)).get(memberName(member));
    // A member whose pod is gone took its log with it.
    if (!pod) return '';
    const log = await this.options.logs.read(pod);
    const tail = options.tailBytes ?? DEFAULT_LOG_TAIL_BYTES;
    const bytes = Buffer.from(log);
    return bytes.length <= tail
      ? log
      : bytes
          .subarray(bytes.length - tail)
          .toString('utf8')
          .replace(/^\uFFFD+/, '');
  }

  tearDown(reason: string): Promise<void> {
    return (this.stopping ??= this.stop(reason));
  }

  /** Watches the cluster's pods and tells each change of a member's state once: OOM-killed, exited, deleted, crash-looping, a replacement pulling its image. */
  followMembers(onEvent: (message: string) => void): () => void {
    const namespace = this.namespace;
    if (!namespace) return () => undefined;
    const told = new Map<string, string>();
    const lastSeen = new Map<string, V1Pod>();
    const lost = new Set<string>();
    // A control plane that stops following the cluster (its teardown begins so) replaces nothing more.
    const following = new AbortController();
    const replace = (pod: V1Pod) => {
      const name = pod.metadata!.name!;
      if (lost.has(name) || pod.metadata?.labels?.[LABELS.role] !== 'taskexecutor') return;
      lost.add(name);
      this.replaceTaskExecutor(namespace, pod, onEvent, following.signal).catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, clusterId: this.clusterId, pod: name },
          'the pod of a lost task executor could not be replaced',
        ),
      );
    };
    const watch = new PodWatch(
      this.options.config,
      this.options.core,
      namespace,
      clusterSelector(this.clusterId),
      (pods) => {
        const current = new Set<string>();
        for (const pod of pods.values()) {
          const name = pod.metadata!.name!;
          current.add(name);
          lastSeen.set(name, pod);
          const step = startStepOf(pod);
          // The first sight of a pod is where it is already; only what changes afterwards is news.
          if (step && told.has(name) && told.get(name) !== step) onEvent(step);
          if (step) told.set(name, step);
          if (memberPhaseOf(pod) === 'exited') replace(pod);
        }
        for (const name of told.keys())
          if (!current.has(name)) {
            told.delete(name);
            onEvent(`pod ${name} was deleted`);
            replace(lastSeen.get(name)!);
          }
        for (const name of lastSeen.keys()) if (!current.has(name)) lastSeen.delete(name);
      },
      this.options.logger,
    );
    // What the kubelet reports of images (a replacement's pull) beside the pods' statuses; past Events are not news.
    const events = new PodEventWatch(
      this.options.config,
      this.options.core,
      namespace,
      this.clusterId,
      onEvent,
      this.options.logger,
      false,
    );
    for (const [what, started] of [
      ['pods', watch.start()],
      ['pod Events', events.start()],
    ] as const)
      started.catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, clusterId: this.clusterId },
          `the ${what} of the cluster cannot be watched`,
        ),
      );
    return () => {
      following.abort();
      watch.stop();
      events.stop();
    };
  }

  /**
   * Gives the task executor of the ended pod `pod` a new pod: once the job manager no longer counts
   * it as registered and the application had time to end over it (which tears the cluster down),
   * unless the cluster is going away.
   */
  private async replaceTaskExecutor(
    namespace: string,
    pod: V1Pod,
    onEvent: (message: string) => void,
    following: AbortSignal,
  ): Promise<void> {
    const { core, logger } = this.options;
    const name = pod.metadata!.name!;
    const resourceId = resourceIdOf(pod);
    const goingAway = () => following.aborted || this.stopping !== undefined || this.killed;
    const deadline = Date.now() + LOSS_DECLARED_WITHIN_MS;
    for (;;) {
      if (goingAway()) return;
      const jobManager = (await podsOf(core, namespace, this.clusterId)).get('jobmanager');
      if (!jobManager?.status?.podIP || memberPhaseOf(jobManager) !== 'running') return;
      const admin = this.options.connect(
        `${jobManager.status.podIP}:${PORTS.jobManager}`,
        this.options.clusterSecret,
        this.options.tlsServerName,
      );
      const registered = await admin
        .overview({ timeoutMs: 2000 })
        .then(({ registered }) => registered.some((each) => each.id === resourceId))
        .catch(() => undefined)
        .finally(() => admin.close());
      if (registered === false) break;
      if (Date.now() > deadline) {
        logger.warn(
          { clusterId: this.clusterId, pod: name },
          'the job manager never declared the task executor of an ended pod lost; not replaced',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, (this.options.heartbeatTimeoutMs ?? 6000) + VERDICT_WAIT_MS));
    if (goingAway()) return;
    // An ended pod that is still there (OOM-killed, Failed) makes way: members are found by their label.
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch((error: unknown) => {
      if (statusCodeOf(error) !== 404) throw error;
    });
    const replacement = await core.createNamespacedPod({
      namespace,
      body: replacementPod(pod, Date.now().toString(36)),
    });
    logger.info(
      { clusterId: this.clusterId, lost: name, replacement: replacement.metadata?.name },
      'replaced the pod of a lost task executor',
    );
    onEvent(`pod ${replacement.metadata?.name} replaces ${name}, whose task executor was lost`);
  }

  async kill(): Promise<void> {
    this.killed = true;
    const namespace = this.namespace;
    if (namespace) await deleteClusterObjects(this.options.core, namespace, this.clusterId, 0);
  }

  private async stop(reason: string): Promise<void> {
    const namespace = this.namespace;
    if (!namespace) return;
    const { core, logger } = this.options;
    const jobManager = (await podsOf(core, namespace, this.clusterId)).get('jobmanager');
    if (jobManager?.status?.podIP && memberPhaseOf(jobManager) === 'running') {
      const admin = this.options.connect(
        `${jobManager.status.podIP}:${PORTS.jobManager}`,
        this.options.clusterSecret,
        this.options.tlsServerName,
      );
      // Its jobs are cancelled and its members exit; the deletion below bounds the wait whatever it does.
      await admin
        .shutDownCluster(reason, { timeoutMs: 1500 })
        .catch((error: unknown) =>
          logger.debug(
            { err: error, clusterId: this.clusterId },
            'the job manager did not confirm the shutdown; its pods are deleted',
          ),
        )
        .finally(() => admin.close());
    }
    await deleteClusterObjects(core, namespace, this.clusterId, 3);
  }
}
