/**
 * A cluster on Kubernetes, found by its labels in its namespace (never by what a control plane
 * remembers): its members are its pods, the job manager's pod says how many task executors the
 * cluster was deployed with, and a member whose pod is gone has ended. Tearing it down asks the job
 * manager to shut the cluster down, then deletes every object of the cluster and waits until no
 * pod of it is left.
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
import { memberPhaseOf, startStepOf, terminationOf } from './podStatus.js';
import { PodWatch } from './PodWatch.js';
import type { PodLogs } from './PodLogs.js';

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
  logger: Logger;
}

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

  /** Watches the cluster's pods and tells each change of a member's state once: OOM-killed, exited, deleted, crash-looping. */
  followMembers(onEvent: (message: string) => void): () => void {
    const namespace = this.namespace;
    if (!namespace) return () => undefined;
    const told = new Map<string, string>();
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
          const step = startStepOf(pod);
          // The first sight of a pod is where it is already; only what changes afterwards is news.
          if (step && told.has(name) && told.get(name) !== step) onEvent(step);
          if (step) told.set(name, step);
        }
        for (const name of told.keys())
          if (!current.has(name)) {
            told.delete(name);
            onEvent(`pod ${name} was deleted`);
          }
      },
      this.options.logger,
    );
    watch
      .start()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, clusterId: this.clusterId },
          'the pods of the cluster cannot be watched',
        ),
      );
    return () => watch.stop();
  }

  async kill(): Promise<void> {
    const namespace = this.namespace;
    if (namespace) await deleteClusterObjects(this.options.core, namespace, this.clusterId, 0);
  }

  private async stop(reason: string): Promise<void> {
    const namespace = this.namespace;
    if (!namespace) return;
    const { core, logger } = this.options;
    const jobManager = (await podsOf(core, namespace, this.clusterId)).get('jobmanager');
    if (jobManager?.status?.podIP && memberPhaseOf(jobManager) === 'running') {
      const admin = this.options.connect(`${jobManager.status.podIP}:${PORTS.jobManager}`, this.options.clusterSecret);
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
