/**
 * The Kubernetes objects of one cluster, as plain manifests: the job manager's Pod (the root every
 * other object names as its owner, so that deleting it removes the rest even when no control plane
 * is left to do it), a Secret holding the cluster's secret and TLS material (mounted as files,
 * never in a pod spec or an environment variable), a Service with named ports in front of the job manager, and one Pod
 * per task executor. Every object carries the labels that name its cluster and role, which is how a
 * restarted control plane finds them again.
 *
 * Pods run the image's `flotilla` as a user without a name (uid 10000), with no service account
 * token, no privilege escalation and `restartPolicy: Never`: a member that ends is seen as ended,
 * exactly as a local process is, and the job manager's heartbeats decide what a lost task executor
 * means for the jobs on it. Members listen on their pod's IP. When the control plane has a cluster
 * CA (it serves TLS), the Secret also holds the cluster's TLS certificate and key, issued for the
 * job manager's Service names, and that CA: every member serves TLS with them, trusts only that CA
 * and checks the Service's name (`--tls-server-name`) when it dials another member by pod IP.
 * Without it members speak plaintext with the cluster's secret (`--insecure-bind`).
 *
 * The one exception to "no token": the job manager of a cluster with a lease gets its service
 * account's token, CA and namespace (a projected volume at the place in-cluster clients look), so
 * that a cluster ending itself with no control plane left deletes its own pod and with it, through
 * garbage collection, everything else (deleteOwnerPod.ts).
 */
import type {
  V1Container,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1Secret,
  V1Service,
  V1Volume,
} from '@kubernetes/client-node';
import { memberName, type ClusterMember } from '../DeploymentTarget.js';
import type { ContainerResources, KubernetesSettings } from './KubernetesSettings.js';

/** Label keys of a cluster's objects. */
export const LABELS = {
  app: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  cluster: 'flotilla.io/cluster',
  role: 'flotilla.io/role',
  member: 'flotilla.io/member',
} as const;

/** Annotation keys the target reads back when it attaches. */
export const ANNOTATIONS = {
  /** On the job manager's pod: how many task executors the cluster was deployed with. */
  taskExecutors: 'flotilla.io/task-executors',
  tenant: 'flotilla.io/tenant',
} as const;

/** The ports members listen on, named in the pod specs and the Service. */
export const PORTS = { jobManager: 6123, taskExecutor: 6122 } as const;

/** Where Flotilla sits in the image (the Dockerfile and the test image put it there). */
export const FLOTILLA_HOME = '/opt/flotilla';
/** Where the cluster's Secret is mounted in every pod. */
const SECRET_MOUNT = '/etc/flotilla/secret';
/** The key of the cluster's secret in its Secret. */
export const CLUSTER_SECRET_KEY = 'cluster-secret';
/** The keys of the TLS material in the cluster's Secret: its certificate, its key and the CA members trust. */
export const TLS_KEYS = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;
/** The environment variable holding the pod's IP (downward API), which members listen on and advertise. */
const POD_IP_ENV = 'FLOTILLA_POD_IP';
/** Where in-cluster clients find a pod's service account token, CA and namespace. */
const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The uid and gid the members run as. */
const MEMBER_UID = 10000;

/** The label selector of every object of a cluster. */
export function clusterSelector(clusterId: string): string {
  return `${LABELS.cluster}=${clusterId}`;
}

/** The name of a cluster's Secret and Service, and the prefix of its pods' names. */
export function clusterObjectName(clusterId: string): string {
  return `flotilla-${clusterId}`;
}

/** The job manager's Service's name in the cluster (`flotilla-<cluster>.<namespace>.svc`): what its TLS certificate names and members check. */
export function jobManagerServiceHost(clusterId: string, namespace: string): string {
  return `${clusterObjectName(clusterId)}.${namespace}.svc`;
}

/** Every name of the job manager's Service, in openssl's spelling: the names a cluster's certificate is issued for. */
export function jobManagerServiceNames(clusterId: string, namespace: string): string[] {
  const service = clusterObjectName(clusterId);
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ].map((name) => `DNS:${name}`);
}

/** A member's pod name: `flotilla-<cluster>-jobmanager`, `flotilla-<cluster>-taskexecutor-0`, … */
export function podName(clusterId: string, member: ClusterMember): string {
  return `${clusterObjectName(clusterId)}-${memberName(member)}`;
}

/** What the manifests of one cluster are made from. */
export interface ClusterObjectsInput {
  clusterId: string;
  tenant: string;
  settings: KubernetesSettings;
  taskExecutors: number;
  slotsPerTaskExecutor: number;
  /** Task executors' resources; the settings' when not given. */
  taskExecutorResources?: ContainerResources;
  /** The job manager's heartbeat settings, in milliseconds. */
  heartbeat: { intervalMs: number; timeoutMs: number };
  /** Whether the cluster has a secret (it does whenever the control plane deployed it). */
  hasSecret: boolean;
  /** Whether the cluster's Secret holds TLS material (the control plane has a cluster CA): members serve TLS. */
  tls?: boolean;
  /** The job manager's lease time in milliseconds (`--lease-time`); no lease when not given. */
  leaseTimeMs?: number;
}

function metadata(input: ClusterObjectsInput, name: string, role: string, member?: string): V1ObjectMeta {
  return {
    name,
    namespace: input.settings.namespace,
    labels: {
      ...input.settings.labels,
      [LABELS.app]: 'flotilla',
      [LABELS.managedBy]: 'flotilla-controlplane',
      [LABELS.cluster]: input.clusterId,
      [LABELS.role]: role,
      ...(member ? { [LABELS.member]: member } : {}),
    },
    annotations: { ...input.settings.annotations, [ANNOTATIONS.tenant]: input.tenant },
  };
}

/** The owner reference every object but the job manager's pod carries. */
export function ownedBy(jobManager: V1Pod): V1OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    name: jobManager.metadata!.name!,
    uid: jobManager.metadata!.uid!,
    blockOwnerDeletion: false,
    controller: false,
  };
}

function resources(of: ContainerResources, cpuLimitFactor: number) {
  const cpu = (cpus: number) => `${Math.max(1, Math.round(cpus * 1000))}m`;
  const memory = `${Math.ceil(of.memoryMb)}Mi`;
  return { requests: { cpu: cpu(of.cpus), memory }, limits: { cpu: cpu(of.cpus * cpuLimitFactor), memory } };
}

/** The gRPC service each role serves, whose health the readiness probe asks. */
const SERVICES = { jobmanager: 'flotilla.v1.DispatcherService', taskexecutor: 'flotilla.v1.TaskExecutorService' };

/**
 * The service account token volume of a job manager that deletes its own pod when its lease
 * expires: what the ServiceAccount admission plugin would mount, made explicit so that only this
 * pod gets it (every pod sets automountServiceAccountToken false).
 */
const SERVICE_ACCOUNT_VOLUME: V1Volume = {
  name: 'service-account',
  projected: {
    defaultMode: 0o440,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

function container(
  input: ClusterObjectsInput,
  role: ClusterMember['role'],
  args: string[],
  port: number,
  size: ContainerResources,
): V1Container {
  const secretArgs = input.hasSecret ? ['--cluster-secret-file', `${SECRET_MOUNT}/${CLUSTER_SECRET_KEY}`] : [];
  const serverName = jobManagerServiceHost(input.clusterId, input.settings.namespace);
  const caFile = `${SECRET_MOUNT}/${TLS_KEYS.ca}`;
  // Only file paths and the Service's name: the PEM stays in the Secret.
  const tlsArgs = input.tls
    ? [
        '--tls-cert',
        `${SECRET_MOUNT}/${TLS_KEYS.cert}`,
        '--tls-key',
        `${SECRET_MOUNT}/${TLS_KEYS.key}`,
        '--tls-ca',
        caFile,
        '--tls-server-name',
        serverName,
      ]
    : ['--insecure-bind'];
  const probeTls = input.tls ? ['--tls-ca', caFile, '--tls-server-name', serverName] : [];
  return {
    name: 'flotilla',
    image: input.settings.image,
    imagePullPolicy: input.settings.imagePullPolicy,
    command: ['node', `${FLOTILLA_HOME}/bin/flotilla.js`],
    args: [...args, '--listen', `$(${POD_IP_ENV}):${port}`, ...tlsArgs, ...secretArgs],
    env: [
      { name: POD_IP_ENV, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOME', value: '/work' },
    ],
    ports: [{ name: 'rpc', containerPort: port, protocol: 'TCP' }],
    resources: resources(size, input.settings.cpuLimitFactor),
    // grpc.health.v1 through the image's own client (Kubernetes 1.20 has no gRPC probe).
    readinessProbe: {
      exec: {
        command: ['node', `${FLOTILLA_HOME}/bin/flotilla.js`, 'health-probe', '--port', String(port)].concat(
          '--service',
          SERVICES[role],
          ...probeTls,
        ),
      },
      periodSeconds: 5,
      timeoutSeconds: 4,
    },
    volumeMounts: [
      { name: 'work', mountPath: '/work' },
      ...(hasSecretObject(input) ? [{ name: 'cluster-secret', mountPath: SECRET_MOUNT, readOnly: true }] : []),
    ],
    securityContext: { allowPrivilegeEscalation: false, runAsUser: MEMBER_UID, runAsGroup: MEMBER_UID },
  };
}

function pod(input: ClusterObjectsInput, member: ClusterMember, main: V1Container, owner?: V1Pod): V1Pod {
  const name = podName(input.clusterId, member);
  const meta = metadata(input, name, member.role, memberName(member));
  if (owner) meta.ownerReferences = [ownedBy(owner)];
  if (member.role === 'jobmanager') meta.annotations![ANNOTATIONS.taskExecutors] = String(input.taskExecutors);
  const { settings } = input;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 5,
      automountServiceAccountToken: false,
      ...(settings.serviceAccount ? { serviceAccountName: settings.serviceAccount } : {}),
      ...(Object.keys(settings.nodeSelector).length ? { nodeSelector: settings.nodeSelector } : {}),
      ...(settings.tolerations.length ? { tolerations: settings.tolerations } : {}),
      securityContext: { runAsNonRoot: true, fsGroup: MEMBER_UID },
      containers: [main],
      volumes: [
        { name: 'work', emptyDir: {} },
        ...(hasSecretObject(input)
          ? [
              {
                name: 'cluster-secret',
                secret: { secretName: clusterObjectName(input.clusterId), defaultMode: 0o440 },
              },
            ]
          : []),
      ],
    },
  };
}

/** The job manager's pod (the owner of everything else). */
export function jobManagerPod(input: ClusterObjectsInput): V1Pod {
  const name = podName(input.clusterId, { role: 'jobmanager', index: 0 });
  const args = [
    'jobmanager',
    '--state-dir',
    '/work/state',
    '--heartbeat-interval',
    String(input.heartbeat.intervalMs),
    '--heartbeat-timeout',
    String(input.heartbeat.timeoutMs),
    // An owned cluster ends itself once its control plane stopped renewing it while no job ran, and deletes its pod.
    ...(input.leaseTimeMs ? ['--lease-time', `${input.leaseTimeMs}ms`, '--kubernetes-owner-pod', name] : []),
  ];
  const main = container(input, 'jobmanager', args, PORTS.jobManager, input.settings.jobManagerResources);
  const jobManager = pod(input, { role: 'jobmanager', index: 0 }, main);
  if (input.leaseTimeMs) {
    // The token is requested for the pod's service account by name: the namespace's default when none is set.
    jobManager.spec!.serviceAccountName = input.settings.serviceAccount || 'default';
    jobManager.spec!.volumes!.push(SERVICE_ACCOUNT_VOLUME);
    main.volumeMounts!.push({ name: SERVICE_ACCOUNT_VOLUME.name, mountPath: SERVICE_ACCOUNT_MOUNT, readOnly: true });
  }
  return jobManager;
}

/** Task executor `index`'s pod, registering with the job manager at `jobManagerAddress`. */
export function taskExecutorPod(
  input: ClusterObjectsInput,
  index: number,
  jobManagerAddress: string,
  owner: V1Pod,
): V1Pod {
  const member: ClusterMember = { role: 'taskexecutor', index };
  const size = input.taskExecutorResources ?? input.settings.taskExecutorResources;
  const args = [
    'taskexecutor',
    '--state-dir',
    '/work/state',
    '--jobmanager',
    jobManagerAddress,
    '--resource-id',
    taskExecutorResourceId(input.clusterId, member),
    '--slots',
    String(input.slotsPerTaskExecutor),
    '--cpus',
    String(size.cpus),
    '--memory',
    String(size.memoryMb),
  ];
  return pod(input, member, container(input, 'taskexecutor', args, PORTS.taskExecutor, size), owner);
}

/** The resource id a task executor registers with (as the local target names them). */
export function taskExecutorResourceId(clusterId: string, member: ClusterMember): string {
  return `${clusterId}-${memberName(member)}`;
}

/** Whether the cluster has a Secret: for its secret, its TLS material or both. */
export function hasSecretObject(input: ClusterObjectsInput): boolean {
  return input.hasSecret || input.tls === true;
}

/** A cluster's TLS material, as PEM text: its certificate and key, and the CA its members trust. */
export interface ClusterTlsMaterial {
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** The Secret with the cluster's secret and TLS material (whichever it has), owned by the job manager's pod. */
export function clusterSecretObject(
  input: ClusterObjectsInput,
  contents: { clusterSecret?: string; tls?: ClusterTlsMaterial },
  owner: V1Pod,
): V1Secret {
  const meta = metadata(input, clusterObjectName(input.clusterId), 'secret');
  meta.ownerReferences = [ownedBy(owner)];
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const { clusterSecret, tls } = contents;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: 'Opaque',
    data: {
      ...(clusterSecret !== undefined ? { [CLUSTER_SECRET_KEY]: base64(clusterSecret) } : {}),
      ...(tls
        ? { [TLS_KEYS.cert]: base64(tls.certPem), [TLS_KEYS.key]: base64(tls.keyPem), [TLS_KEYS.ca]: base64(tls.caPem) }
        : {}),
    },
  };
}

/** The Service in front of the job manager, with its named port, owned by the job manager's pod. */
export function jobManagerService(input: ClusterObjectsInput, owner: V1Pod): V1Service {
  const meta = metadata(input, clusterObjectName(input.clusterId), 'jobmanager-service');
  meta.ownerReferences = [ownedBy(owner)];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: {
      type: 'ClusterIP',
      selector: { [LABELS.cluster]: input.clusterId, [LABELS.role]: 'jobmanager' },
      ports: [{ name: 'rpc', port: PORTS.jobManager, targetPort: 'rpc', protocol: 'TCP' }],
    },
  };
}
