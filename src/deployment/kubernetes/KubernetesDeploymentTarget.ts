/**
 * The `kubernetes` deployment target (Flink's KubernetesClusterDescriptor): a session cluster as
 * Kubernetes objects (clusterObjects.ts). The reference handed to the caller is
 * `<namespace>/<cluster id>`, and a cluster is found again by the label naming its id, so a
 * restarted control plane attaches to what is really there.
 *
 * A deployment creates the job manager's pod first (everything else names it as owner), then the
 * Secret (the cluster's secret, and with a cluster CA its TLS certificate for the job manager's
 * Service names, its key and the CA) and the Service, follows the cluster's pods with a watch
 * (PodWatch.ts) and the kubelet's Events about them (PodEventWatch.ts: pulling the image), reports
 * each step of their start, and once the job manager's pod runs and answers at its pod IP creates
 * the task executor pods, registering with that address (no cluster DNS or kube-proxy is needed),
 * and waits for them to register. A pod that cannot start (its image cannot be pulled, no node
 * takes it for `unschedulableTimeoutMs`, its container ended) or an object the API server refuses
 * (a ResourceQuota exceeded) fails the deployment at once with the pod's name and Kubernetes'
 * reason, and a deployment that fails, is aborted or outlasts `deployTimeoutMs` deletes everything
 * it created before it rejects.
 */
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  memberName,
  type ClusterDeploymentRequest,
  type ClusterHandle,
  type ConnectJobManager,
  type DeployedCluster,
  type DeploymentProgress,
  type DeploymentTarget,
  type JobManagerAdmin,
  type TaskExecutorDefaults,
} from '../DeploymentTarget.js';
import { DeploymentError } from '../DeploymentError.js';
import type { ClusterCertificateAuthority } from '../local/ClusterCertificateAuthority.js';
import {
  clusterSecretObject,
  clusterSelector,
  hasSecretObject,
  jobManagerServiceHost,
  jobManagerServiceNames,
  jobManagerPod,
  jobManagerService,
  LABELS,
  PORTS,
  taskExecutorPod,
  taskExecutorResourceId,
  type ClusterObjectsInput,
} from './clusterObjects.js';
import { deleteClusterObjects } from './deleteClusterObjects.js';
import { KubernetesCluster } from './KubernetesCluster.js';
import { settingsForCluster, taskExecutorSizeFor, type KubernetesSettings } from './KubernetesSettings.js';
import { refusalOf } from './apiRefusal.js';
import { PodEventWatch } from './PodEventWatch.js';
import { PodLogs } from './PodLogs.js';
import { hopelessReason, memberPhaseOf, startStepOf, unschedulableReason } from './podStatus.js';
import { PodWatch } from './PodWatch.js';

/** Options of {@link KubernetesDeploymentTarget}. */
export interface KubernetesDeploymentOptions {
  /** Where the API server is and who we are: a kubeconfig file, or (when not given) KUBECONFIG, the in-cluster service account, or ~/.kube/config. */
  kubeconfig?: string;
  /** The pods' settings, which a cluster's `kubernetes.*` properties override. */
  settings: KubernetesSettings;
  connect: ConnectJobManager;
  /**
   * The CA that issues each cluster its TLS certificate (for its job manager's Service names): its
   * members serve TLS and check each other and the control plane checks them; plaintext with the
   * cluster's secret when not given.
   */
  certificateAuthority?: ClusterCertificateAuthority;
  logger: Logger;
  /** How long a deployment may take in all, in milliseconds (default 120 s). */
  deployTimeoutMs?: number;
  /** How long a pod may wait for a node before the deployment fails, in milliseconds (default 30 s). */
  unschedulableTimeoutMs?: number;
  /** The job manager's heartbeat settings, in milliseconds (default 1 s / 6 s, as local clusters). */
  heartbeat?: { intervalMs: number; timeoutMs: number };
  /** The kubelet's pod log folder, read when the API server cannot serve a log (a control plane on the node); none when not given. */
  nodeLogDir?: string;
}

/** Loads a kubeconfig: the file given, else KUBECONFIG, the in-cluster service account or ~/.kube/config. */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  try {
    if (file) config.loadFromFile(file);
    else config.loadFromDefault();
  } catch (error) {
    throw new FailedPreconditionError(
      `cannot load the kubeconfig ${file ?? '(KUBECONFIG, in-cluster or ~/.kube/config)'}: ${(error as Error).message}`,
    );
  }
  if (!config.getCurrentCluster())
    throw new FailedPreconditionError(
      `the kubeconfig ${file ?? '(KUBECONFIG, in-cluster or ~/.kube/config)'} names no current cluster: give one with --kubernetes-config`,
    );
  return config;
}

/** A failed deployment, already a {@link DeploymentError} or made one. */
function asDeploymentError(error: unknown, clusterId: string): Error {
  if (error instanceof DeploymentError || (error as Error).name === 'AbortError') return error as Error;
  const body = (error as { body?: unknown }).body;
  const detail = typeof body === 'string' ? body : body ? JSON.stringify(body) : '';
  return new DeploymentError(
    `cluster ${clusterId} could not be deployed on Kubernetes: ${(error as Error).message}${detail && !(error as Error).message.includes(detail) ? `: ${detail}` : ''}`,
  );
}

/** Creates one object of a cluster; a refusal (a ResourceQuota, an admission webhook, RBAC) fails the deployment naming the object and Kubernetes' reason. */
async function create<T>(clusterId: string, object: string, creating: () => Promise<T>): Promise<T> {
  try {
    return await creating();
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === undefined) throw error;
    throw new DeploymentError(`cluster ${clusterId} cannot start on Kubernetes: ${object} was refused: ${refusal}`);
  }
}

/** Deploys clusters as pods. */
export class KubernetesDeploymentTarget implements DeploymentTarget {
  readonly name = 'kubernetes';
  readonly taskExecutorDefaults: TaskExecutorDefaults;
  private readonly config: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly logs: PodLogs;

  constructor(private readonly options: KubernetesDeploymentOptions) {
    this.config = loadKubeConfig(options.kubeconfig);
    this.core = this.config.makeApiClient(CoreV1Api);
    this.logs = new PodLogs(this.core, options.nodeLogDir);
    this.taskExecutorDefaults = { ...options.settings.taskExecutorResources };
  }

  async deploy(
    request: ClusterDeploymentRequest,
    progress: DeploymentProgress,
    signal: AbortSignal,
  ): Promise<ClusterHandle> {
    signal.throwIfAborted();
    const { clusterId } = request;
    // Bad settings are the request's fault, refused before anything is recorded or created.
    const settings = settingsForCluster(this.options.settings, request.properties ?? {});
    this.checkMaster(request.properties?.['kubernetes.master']);
    const { namespace } = settings;
    await progress.onRecorded(`${namespace}/${clusterId}`);
    signal.throwIfAborted();
    const input: ClusterObjectsInput = {
      clusterId,
      tenant: request.tenant ?? '',
      settings,
      taskExecutors: request.taskExecutors,
      slotsPerTaskExecutor: request.slotsPerTaskExecutor,
      taskExecutorResources: taskExecutorSizeFor(request.taskExecutorResources, settings, request.properties ?? {}),
      heartbeat: this.options.heartbeat ?? { intervalMs: 1000, timeoutMs: 6000 },
      hasSecret: request.clusterSecret !== undefined,
      tls: this.options.certificateAuthority !== undefined,
      leaseTimeMs: request.leaseTimeMs,
    };
    const serverName = this.tlsServerNameOf(clusterId, namespace);
    const pods = new ClusterPods(clusterId, this.options.unschedulableTimeoutMs ?? 30_000, progress);
    const watch = new PodWatch(
      this.config,
      this.core,
      namespace,
      clusterSelector(clusterId),
      (current) => pods.update(current),
      this.options.logger,
    );
    const events = new PodEventWatch(
      this.config,
      this.core,
      namespace,
      clusterId,
      (step) => progress.onMemberEvent?.(step),
      this.options.logger,
      true,
    );
    const deadline = AbortSignal.timeout(this.options.deployTimeoutMs ?? 120_000);
    const stop = AbortSignal.any([signal, deadline]);
    let admin: JobManagerAdmin | undefined;
    try {
      const ca = this.options.certificateAuthority;
      const tls = ca
        ? { ...(await ca.issue(clusterId, jobManagerServiceNames(clusterId, namespace))), caPem: ca.caPem }
        : undefined;
      // Watching Events before the first pod exists, every pull of its image is news.
      await events
        .start()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error, clusterId }, 'the Events of the cluster’s pods cannot be watched'),
        );
      const jobManager = jobManagerPod(input);
      const owner = await create(clusterId, `pod ${jobManager.metadata!.name}`, () =>
        this.core.createNamespacedPod({ namespace, body: jobManager }),
      );
      if (hasSecretObject(input)) {
        const secret = clusterSecretObject(input, { clusterSecret: request.clusterSecret, tls }, owner);
        await create(clusterId, `secret ${secret.metadata!.name}`, () =>
          this.core.createNamespacedSecret({ namespace, body: secret }),
        );
      }
      const service = jobManagerService(input, owner);
      await create(clusterId, `service ${service.metadata!.name}`, () =>
        this.core.createNamespacedService({ namespace, body: service }),
      );
      await watch.start();
      const running = await pods.until(stop, (current) => {
        const jobManager = current.get('jobmanager');
        return jobManager?.status?.podIP && jobManager.status.phase === 'Running' ? jobManager : undefined;
      });
      const address = `${running.status!.podIP}:${PORTS.jobManager}`;
      admin = this.options.connect(address, request.clusterSecret, serverName);
      const connected = admin;
      // Running is not listening yet: the job manager answers once its server is up.
      await pods.until(
        stop,
        () => undefined,
        () => connected.overview({ timeoutMs: 2000, signal: stop }),
      );
      progress.onJobManagerListening(address);
      signal.throwIfAborted();
      for (let index = 0; index < request.taskExecutors; index++) {
        const taskExecutor = taskExecutorPod(input, index, address, owner);
        await create(clusterId, `pod ${taskExecutor.metadata!.name}`, () =>
          this.core.createNamespacedPod({ namespace, body: taskExecutor }),
        );
      }
      const expected = new Set(
        Array.from({ length: request.taskExecutors }, (_, index) =>
          taskExecutorResourceId(clusterId, { role: 'taskexecutor', index }),
        ),
      );
      let reported = 0;
      await pods.until(
        stop,
        () => undefined,
        async () => {
          const { registered } = await connected.overview({ timeoutMs: 2000, signal: stop });
          const count = registered.filter((each) => expected.has(each.id)).length;
          if (count > reported) progress.onTaskExecutorsRegistered?.((reported = count));
          return count === expected.size ? true : undefined;
        },
      );
      // A member can register before its kubelet reported its pod running: the handle's first look agrees with the registration.
      await pods.until(stop, (current) =>
        current.size === request.taskExecutors + 1 &&
        [...current.values()].every((pod) => memberPhaseOf(pod) === 'running')
          ? true
          : undefined,
      );
      return this.cluster(clusterId, `${namespace}/${clusterId}`, request.clusterSecret);
    } catch (error) {
      const failure =
        deadline.aborted && !signal.aborted
          ? new DeploymentError(
              `cluster ${clusterId} did not start on Kubernetes within ${Math.round((this.options.deployTimeoutMs ?? 120_000) / 1000)} s: ${pods.describe()}`,
            )
          : asDeploymentError(error, clusterId);
      await deleteClusterObjects(this.core, namespace, clusterId, 0).catch((deleteError: unknown) =>
        this.options.logger.error(
          { err: deleteError, clusterId },
          'the objects of a failed deployment could not all be deleted',
        ),
      );
      throw failure;
    } finally {
      watch.stop();
      events.stop();
      admin?.close();
    }
  }

  /** FLIP-40's -kms names the API server to deploy to: this control plane deploys to its own only. */
  private checkMaster(master: string | undefined): void {
    const own = this.config.getCurrentCluster()?.server;
    const trimmed = (url: string) => url.replace(/\/+$/, '');
    if (master && own && trimmed(master) !== trimmed(own))
      throw new InvalidArgumentError(
        `kubernetes.master (-kms) is ${master}, but this control plane deploys to ${own}; leave -kms out or name that server`,
      );
  }

  attach(cluster: DeployedCluster): ClusterHandle {
    return this.cluster(cluster.clusterId, cluster.reference, cluster.clusterSecret);
  }

  /** Its job manager's Service name, which its certificate carries, when the clusters have TLS; pods are dialed by IP. */
  tlsServerName(cluster: DeployedCluster): string | undefined {
    const namespace = cluster.reference.split('/')[0];
    return namespace ? this.tlsServerNameOf(cluster.clusterId, namespace) : undefined;
  }

  private tlsServerNameOf(clusterId: string, namespace: string): string | undefined {
    return this.options.certificateAuthority ? jobManagerServiceHost(clusterId, namespace) : undefined;
  }

  private cluster(clusterId: string, reference: string, clusterSecret: string | undefined): KubernetesCluster {
    return new KubernetesCluster({
      clusterId,
      config: this.config,
      reference,
      core: this.core,
      logs: this.logs,
      connect: this.options.connect,
      clusterSecret,
      tlsServerName: this.tlsServerName({ clusterId, reference }),
      logger: this.options.logger,
      heartbeatTimeoutMs: this.options.heartbeat?.timeoutMs,
    });
  }
}

/**
 * The pods of a deployment under way, as the watch last saw them: each step of a pod's start is
 * told once, and a pod that will not start fails every wait with its reason.
 */
class ClusterPods {
  private current: ReadonlyMap<string, V1Pod> = new Map();
  private readonly told = new Map<string, string>();
  private readonly unschedulableSince = new Map<string, number>();
  private failure: DeploymentError | undefined;
  private changed: () => void = () => undefined;

  constructor(
    private readonly clusterId: string,
    private readonly unschedulableTimeoutMs: number,
    private readonly progress: DeploymentProgress,
  ) {}

  update(pods: ReadonlyMap<string, V1Pod>): void {
    this.current = new Map([...pods.values()].map((pod) => [memberOf(pod), pod]));
    for (const [member, pod] of this.current) {
      const step = startStepOf(pod);
      if (step && this.told.get(member) !== step) {
        this.told.set(member, step);
        this.progress.onMemberEvent?.(step);
      }
      const hopeless = hopelessReason(pod);
      if (hopeless) this.fail(hopeless);
      if (unschedulableReason(pod)) {
        if (!this.unschedulableSince.has(member)) this.unschedulableSince.set(member, Date.now());
      } else this.unschedulableSince.delete(member);
    }
    this.changed();
  }

  /** What each pod is at, for a timeout's message. */
  describe(): string {
    const steps = [...this.current.values()].map(
      (pod) => unschedulableReason(pod) ?? startStepOf(pod) ?? `pod ${pod.metadata?.name} is ${pod.status?.phase}`,
    );
    return steps.length ? steps.join('; ') : 'no pod of it was seen';
  }

  private fail(reason: string): void {
    this.failure ??= new DeploymentError(`cluster ${this.clusterId} cannot start on Kubernetes: ${reason}`);
  }

  /**
   * Resolves with what `fromPods` finds in the pods, or what `probe` (tried every 250 ms) resolves
   * with, whichever comes first; rejects when a pod cannot start, a pod waited too long for a
   * node, or `signal` aborts.
   */
  async until<T>(
    signal: AbortSignal,
    fromPods: (pods: ReadonlyMap<string, V1Pod>) => T | undefined,
    probe?: () => Promise<T | undefined>,
  ): Promise<T> {
    for (;;) {
      signal.throwIfAborted();
      for (const [member, since] of this.unschedulableSince)
        if (Date.now() - since > this.unschedulableTimeoutMs)
          this.fail(unschedulableReason(this.current.get(member)!) ?? `pod of ${member} cannot be scheduled`);
      if (this.failure) throw this.failure;
      const found = fromPods(this.current) ?? (probe ? await probe().catch(() => undefined) : undefined);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

function memberOf(pod: V1Pod): string {
  return pod.metadata?.labels?.[LABELS.member] ?? memberName({ role: 'jobmanager', index: 0 });
}
