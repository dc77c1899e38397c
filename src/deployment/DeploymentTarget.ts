/**
 * Deployment targets (Flink's ClusterDescriptor): what starts a session cluster's job manager and
 * task executors somewhere, hands back a handle to watch and stop it, and attaches to a cluster it
 * started before (after a control-plane restart). `local` runs them as processes on this machine;
 * `kubernetes` will run them as pods. Nothing here knows gRPC: the job manager is reached through
 * the {@link JobManagerAdmin} the caller supplies.
 */

/** One operating-system process (or, later, pod) of a cluster. */
export interface ClusterProcess {
  role: 'jobmanager' | 'taskexecutor';
  /** 0 for the job manager; the task executor's number from 0. */
  index: number;
  pid: number;
  /** Where its stdout goes (the job manager's `listening on` line; a task executor's print sinks, Flink's `.out`). */
  stdoutFile: string;
  /** Where its stderr, its log, goes. */
  logFile: string;
}

/** The size of the cluster to deploy. */
export interface ClusterDeploymentRequest {
  /** The control plane's id of the cluster. */
  clusterId: string;
  /** The folder for the cluster's logs and state (created if missing). */
  folder: string;
  taskExecutors: number;
  slotsPerTaskExecutor: number;
  /** The resources of each task executor, divided between its slots; unset takes the target's default. */
  taskExecutorResources?: { cpus: number; memoryMb: number };
  /** The secret the cluster's processes accept calls with and present to each other; none when not given. */
  clusterSecret?: string;
}

/** Progress a deployment reports while it runs, so that the caller can record it at once. */
export interface DeploymentProgress {
  /** A process was started (recorded before anything waits on it, so that none is ever unaccounted for). */
  onProcessStarted(process: ClusterProcess): void;
  /** The job manager listens at `address` (HOST:PORT); task executors are starting. */
  onJobManagerListening(address: string): void;
}

/** What the caller knows of a cluster a target deployed, to attach to it again. */
export interface DeployedClusterRecord {
  clusterId: string;
  folder: string;
  jobmanagerAddress: string;
  processes: readonly ClusterProcess[];
  /** The secret it was deployed with, if any. */
  clusterSecret?: string;
}

/** A deployed cluster. */
export interface ClusterHandle {
  readonly clusterId: string;
  readonly jobmanagerAddress: string;
  readonly processes: readonly ClusterProcess[];
  /** Undefined while the job manager runs (or when the target cannot tell); otherwise how it ended, such as "exited with code 1". */
  jobManagerExit(): string | undefined;
  /**
   * Stops the cluster: asks the job manager to shut down, then waits for every process to end,
   * terminating and finally killing stragglers, so that every process is gone within about 5 s.
   * Rejects naming the processes that survived, if any did.
   */
  tearDown(reason: string): Promise<void>;
  /** Kills every process at once (a failed or abandoned cluster) and waits until they are gone. */
  kill(): Promise<void>;
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
   * On failure or abort every process it started is stopped before it rejects; the error says which
   * process failed and shows the end of its log.
   */
  deploy(request: ClusterDeploymentRequest, progress: DeploymentProgress, signal: AbortSignal): Promise<ClusterHandle>;
  /** A handle of a cluster deployed earlier, perhaps by an earlier control-plane process. */
  attach(record: DeployedClusterRecord): ClusterHandle;
}

/** The job manager's administrative calls a deployment needs; the control plane supplies them over gRPC. */
export interface JobManagerAdmin {
  /** How many task executors are registered, and their process ids. */
  overview(options?: {
    timeoutMs?: number;
    signal?: AbortSignal;
  }): Promise<{ taskExecutors: number; taskExecutorPids: number[] }>;
  /** Asks the cluster to stop: its jobs are cancelled, task executors and the job manager exit. */
  shutDownCluster(reason: string, options?: { timeoutMs?: number }): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Connects to the job manager at HOST:PORT, presenting the cluster's secret when it has one. */
export type ConnectJobManager = (address: string, clusterSecret?: string) => JobManagerAdmin;
