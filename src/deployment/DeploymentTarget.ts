/**
 * Deployment targets (Flink's ClusterDescriptor): what starts a session cluster's job manager and
 * task executors somewhere, hands back a handle to watch and stop it, and attaches to a cluster it
 * started before (after a control-plane restart). `local` runs them as processes on this machine;
 * `kubernetes` runs them as pods.
 *
 * Nothing here names a process, a pid or a file, which a pod has none of. A cluster's members are
 * addressed by role and index; their liveness and exit reason are what the target sees; their logs
 * are read through the target; and a cluster is found again by what the target stores itself (the
 * local target's record in the cluster's folder, Kubernetes' labels), named by the opaque
 * reference the target handed out when it deployed the cluster. Nothing here knows gRPC either:
 * the job manager is reached through the {@link JobManagerAdmin} the caller supplies.
 */

/** What a member of a cluster does. */
export type MemberRole = 'jobmanager' | 'taskexecutor';

/** One member of a cluster, by role and index. */
export interface ClusterMember {
  role: MemberRole;
  /** 0 for the job manager; the task executor's number from 0. */
  index: number;
}

/**
 * A member's liveness as the target sees it: `starting` (started, not yet known to run), `running`,
 * `exited` (for good: it is not restarted), or `unknown` (the target cannot tell, such as a member
 * it has a record of but no way to watch).
 */
export type MemberPhase = 'starting' | 'running' | 'exited' | 'unknown';

/** A member and how it is. */
export interface MemberStatus extends ClusterMember {
  /** Its name, unique in the cluster: "jobmanager", "taskexecutor-0", … */
  name: string;
  phase: MemberPhase;
  /** How it ended, when `phase` is `exited`: "exited with code 1", "was killed by SIGKILL", later "OOMKilled". */
  exitReason?: string;
}

/** The size of the cluster to deploy. */
export interface ClusterDeploymentRequest {
  /** The control plane's id of the cluster. */
  clusterId: string;
  taskExecutors: number;
  slotsPerTaskExecutor: number;
  /** The resources of each task executor, divided between its slots; unset takes the target's default. */
  taskExecutorResources?: { cpus: number; memoryMb: number };
  /** The secret the cluster's members accept calls with and present to each other; none when not given. */
  clusterSecret?: string;
  /** The tenant the cluster is deployed for ('' on a control plane without tokens); a target may run each tenant's clusters apart. */
  tenant?: string;
  /**
   * The cluster's lease time in milliseconds, handed to its job manager (`flotilla jobmanager
   * --lease-time`): once no job has run and the control plane has not renewed the lease for that
   * long, the cluster ends itself. No lease when not given.
   */
  leaseTimeMs?: number;
  /** The cluster's dynamic properties; a target reads the settings it knows among them (Kubernetes: `kubernetes.*`). */
  properties?: Record<string, string>;
}

/** Progress a deployment reports while it runs, so that the caller can record it at once. */
export interface DeploymentProgress {
  /**
   * The target has recorded the deployment where it will find it again, before it starts any
   * member: `reference` is what to hand to {@link DeploymentTarget.attach} later, opaque to the
   * caller. The target starts no member before the returned promise (if any) resolves, and fails the
   * deployment if it rejects, so that a caller that records the reference never loses track of a member.
   */
  onRecorded(reference: string): void | Promise<void>;
  /**
   * Runs `start`, which starts the cluster's members and records each where {@link DeploymentTarget.attach}
   * finds it, and resolves with what it returned, while the caller is sure that nobody else acts on
   * the cluster (the control plane: in a unit of work that checks its lease's fencing token, so that
   * another replica taking the cluster over waits until every member is recorded, and a replica
   * that lost the cluster starts none); rejects, starting nothing, when the caller may no longer
   * deploy it. `start` must not wait for anything. A target that starts members in a way another
   * process finds without its record (Kubernetes' labels) need not call it; absent, `start` runs as is.
   */
  startMembers?<T>(start: () => T): Promise<T>;
  /** The job manager listens at `address` (HOST:PORT); task executors are starting. */
  onJobManagerListening(address: string): void;
  /**
   * `registered` of the cluster's task executors have registered with its job manager so far: told
   * each time the count the target sees grows, before the deployment resolves (a target may skip
   * counts when several register between two looks, and need not report the last one).
   */
  onTaskExecutorsRegistered?(registered: number): void;
  /**
   * A member's start made a step worth telling (Kubernetes: a pod was scheduled, is running, cannot
   * be scheduled, cannot pull its image, was OOM-killed), as one sentence naming the member.
   */
  onMemberEvent?(message: string): void;
}

/** What the caller stored of a cluster a target deployed, to attach to it again. */
export interface DeployedCluster {
  clusterId: string;
  /** The reference the target gave (DeploymentProgress.onRecorded); empty when it never gave one. */
  reference: string;
  /** The secret it was deployed with, if any, for the calls a teardown makes to its job manager. */
  clusterSecret?: string;
}

/** The options of reading a member's log. */
export interface ReadLogOptions {
  /** At most this many bytes from the end of the log (default 64 KiB). */
  tailBytes?: number;
}

/** A deployed cluster, as the target sees it. */
export interface ClusterHandle {
  readonly clusterId: string;
  /** The target's reference to the deployment (what {@link DeploymentProgress.onRecorded} gave). */
  readonly reference: string;
  /**
   * Every member the target knows of, the job manager first, then the task executors by index, each
   * with its liveness as the target sees it now. Empty when the target has no record of the cluster.
   */
  members(): Promise<MemberStatus[]>;
  /** The end of a member's log (its stderr, where it logs); empty when it wrote none; NotFoundError for a member the target does not know. */
  readLog(member: ClusterMember, options?: ReadLogOptions): Promise<string>;
  /**
   * Stops the cluster: asks the job manager to shut down, then waits for every member to end,
   * terminating and finally killing stragglers, so that every member is gone within about 5 s.
   * Rejects naming the members that survived, if any did.
   */
  tearDown(reason: string): Promise<void>;
  /** Kills every member at once (a failed or abandoned cluster) and waits until they are gone. */
  kill(): Promise<void>;
  /**
   * Tells `onEvent` what the target sees happen to the running cluster's members, one sentence
   * each naming the member (Kubernetes: a pod OOM-killed, deleted, crash-looping), until the
   * returned function is called; targets that see nothing beyond liveness leave it out.
   */
  followMembers?(onEvent: (message: string) => void): () => void;
}

/** The default resources of one task executor. */
export interface TaskExecutorDefaults {
  cpus: number;
  memoryMb: number;
}

/** A place clusters are deployed to. */
export interface DeploymentTarget {
  /** Its name, as `Cluster.deployment_target` shows it, such as "local". */
  readonly name: string;
  /** What one task executor offers when the request does not say. */
  readonly taskExecutorDefaults: TaskExecutorDefaults;
  /**
   * Starts a cluster and resolves once its job manager listens and every task executor registered.
   * On failure or abort every member it started is stopped before it rejects; a failure is a
   * DeploymentError that says which member failed and shows the end of its log.
   */
  deploy(request: ClusterDeploymentRequest, progress: DeploymentProgress, signal: AbortSignal): Promise<ClusterHandle>;
  /** A handle of a cluster deployed earlier, perhaps by an earlier control-plane process, found by what the target stored. */
  attach(cluster: DeployedCluster): ClusterHandle;
  /**
   * The name the cluster's TLS certificate carries when it is not the job manager's address (which
   * its certificate does not name: pods dialed by IP); undefined for targets whose certificates
   * name the address dialed.
   */
  tlsServerName?(cluster: DeployedCluster): string | undefined;
}

/** One task executor registered with a job manager. */
export interface RegisteredTaskExecutor {
  /** Its resource id: the member's name in its cluster when the deployment target named it (Flink's `taskmanager.resource-id`). */
  id: string;
}

/** The job manager's administrative calls a deployment needs; the control plane supplies them over gRPC. */
export interface JobManagerAdmin {
  /** How many task executors are registered, and who they are. */
  overview(options?: {
    timeoutMs?: number;
    signal?: AbortSignal;
  }): Promise<{ taskExecutors: number; registered: RegisteredTaskExecutor[] }>;
  /** Asks the cluster to stop: its jobs are cancelled, task executors and the job manager exit. */
  shutDownCluster(reason: string, options?: { timeoutMs?: number }): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/**
 * Connects to the job manager at HOST:PORT, presenting the cluster's secret when it has one and,
 * over TLS, checking that its certificate carries `serverName` instead of the dialed host (pods
 * dialed by IP whose certificate names their Service).
 */
export type ConnectJobManager = (address: string, clusterSecret?: string, serverName?: string) => JobManagerAdmin;

/** A member's name in its cluster: "jobmanager", "taskexecutor-0", … */
export function memberName(member: ClusterMember): string {
  return member.role === 'jobmanager' ? 'jobmanager' : `taskexecutor-${member.index}`;
}
