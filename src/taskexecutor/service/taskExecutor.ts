/**
 * The task executor process: offers its slots, registers with its job manager and heartbeats,
 * runs the tasks it is given in worker threads, serves their result partitions to consumers, and
 * exits when the job manager has been unreachable longer than its timeout or asks it to shut down.
 */
import type { BundleUriRoots } from '../../bundle/BundleUriRoots.js';
import type { HostPort } from '../../common/address.js';
import { formatHostPort } from '../../common/address.js';
import { FailedPreconditionError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import { ensurePrivateDir } from '../../common/privateDir.js';
import type { Logger } from '../../common/logger.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import { exchangeDataHandler, PartitionRequestClientFactory } from '../network/grpc/index.js';
import { grpcBlobGateway, type BlobGateway } from '../../blob/service/grpcBlobGateway.js';
import { grpcJobManagerGateway } from './grpcJobManagerGateway.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import type { ServerSecurity } from '../../rpc/security/ServerSecurity.js';
import { startServerHost, type ServerHost } from '../../rpc/serverHost.js';
import { BundleCache } from '../../bundle/BundleCache.js';
import { JobManagerConnection } from '../JobManagerConnection.js';
import type { JobManagerGateway } from '../../runtime/JobManagerGateway.js';
import { isJobManagerRetrieval, type JobManagerRetrieval } from '../JobManagerRetrieval.js';
import { createInputGate, ResultPartitionManager } from '../network/index.js';
import { Task } from '../task/Task.js';
import { TaskWorkerLibraryCache } from '../task/TaskWorkerLibraryCache.js';
import { TaskOutputForwarder } from '../TaskOutputForwarder.js';
import { TaskRegistry } from '../TaskRegistry.js';
import { DriverMemorySamples, driverMemoryReport } from '../DriverMemorySamples.js';
import { ExchangeCounters } from '../network/ExchangeCounters.js';
import { TaskSlotTable } from '../TaskSlotTable.js';
import { taskExecutorService } from './taskExecutorService.js';

/** Options of {@link startTaskExecutor}. */
export interface TaskExecutorOptions {
  /** Where to listen. */
  listen: HostPort;
  /** The folder for files the process writes (bundles, scratch); created 0700, refused when another user can enter it. */
  stateDir: string;
  /** The job manager this task executor belongs to, or where to learn its address while this task executor starts. */
  jobmanager: HostPort | JobManagerRetrieval;
  /** How many slots it offers. */
  slots: number;
  /** The id it registers with, as its deployer named it (Flink's `taskmanager.resource-id`); a new random one when not given. */
  resourceId?: string;
  /** The cpus it offers in all, divided between its slots. */
  cpus: number;
  /** The memory it offers in all, in mebibytes, divided between its slots. */
  memoryMb: number;
  /** How long the job manager may be unreachable before this process exits, in milliseconds. */
  jobManagerTimeoutMs: number;
  /** How long a cancelled task may take to stop before its worker is terminated, in milliseconds. */
  taskCancellationTimeoutMs?: number;
  /** Called when the task executor decides to stop (job manager lost or shutdown requested), with the exit code. */
  onStop(reason: string, exitCode: number): void;
  /** The process's logger. */
  logger: Logger;
  /** TLS and the cluster secret callers must present; plaintext, open and loopback-only when not given. */
  security?: ServerSecurity;
  /** What this process's own calls (to the job manager, to other task executors, a driver's) use: TLS, the cluster secret. */
  clientSecurity?: ClientSecurity;
  /** The largest message taken or sent, in bytes, by the server and the data exchange's clients (16 MiB when not given). */
  maxMessageBytes?: number;
  /** The most streams one caller may hold open (no limit when not given). */
  maxStreamsPerCaller?: number;
  /** Where bundles named by a uri may be (`--bundle-uri-root`); none when not given. */
  bundleUriRoots?: BundleUriRoots;
}

/** The default of {@link TaskExecutorOptions.taskCancellationTimeoutMs}. */
export const DEFAULT_TASK_CANCELLATION_TIMEOUT_MS = 5000;

/** A running task executor. */
export interface TaskExecutor extends ServerHost {
  readonly taskExecutorId: string;
  /** Resolves once the task executor first registered with its job manager. */
  readonly registered: Promise<void>;
}

/** Starts the task executor; resolves once it listens (registration continues in the background). */
export async function startTaskExecutor(options: TaskExecutorOptions): Promise<TaskExecutor> {
  ensurePrivateDir(options.stateDir, 'the state dir');
  const taskExecutorId = options.resourceId ?? newId('te');
  const logger = options.logger.child({ taskExecutorId });
  const slots = new TaskSlotTable(options.slots, { cpus: options.cpus, memoryMb: options.memoryMb });
  // What reaches the job manager is made once its address is known: at once, or when its retrieval
  // resolves (joinJobManager below). Tasks come from the job manager, so only after that.
  const retrieval = isJobManagerRetrieval(options.jobmanager) ? options.jobmanager : undefined;
  let jobManagerAddress = retrieval ? retrieval.description : formatHostPort(options.jobmanager as HostPort);
  let jobManager: JobManagerGateway | undefined;
  let blobs: BlobGateway | undefined;
  let bundles: BundleCache | undefined;
  let output: TaskOutputForwarder | undefined;
  const partitions = new ResultPartitionManager();
  // Reported with each heartbeat, for the job manager's metrics.
  const exchanged = new ExchangeCounters();
  const driverMemory = new DriverMemorySamples();
  const partitionClients = new PartitionRequestClientFactory({
    maxMessageBytes: options.maxMessageBytes,
    security: options.clientSecurity,
  });
  let address = '';
  // Workers of tasks that finished cleanly wait for the next task of their bundle, one per slot at most.
  const workerCache = new TaskWorkerLibraryCache({ maxIdle: options.slots });

  const createTask = (descriptor: TaskDeploymentDescriptor): Task => {
    if (!jobManager || !bundles || !output)
      throw new FailedPreconditionError(`this task executor has not joined its job manager yet (${jobManagerAddress})`);
    return newTask(descriptor, jobManager, bundles, output);
  };
  const newTask = (
    descriptor: TaskDeploymentDescriptor,
    jobManager: JobManagerGateway,
    bundles: BundleCache,
    output: TaskOutputForwarder,
  ): Task =>
    new Task({
      descriptor,
      logger,
      cancellationGraceMs: options.taskCancellationTimeoutMs ?? DEFAULT_TASK_CANCELLATION_TIMEOUT_MS,
      clientSecurity: options.clientSecurity,
      workerCache,
      // A driver's output goes through this task executor's connection to its job manager.
      connectOutputReporter: () => ({
        reportTaskOutput: (...report) => jobManager.reportTaskOutput(...report),
        close() {},
      }),
      services: {
        resolveBundle: async ({ bundle }) => (bundle === undefined ? undefined : bundles.resolve(bundle)),
        createResultPartition: (partitionId, subpartitions) => partitions.register(partitionId, subpartitions),
        openInputGate: (gate, consumerAttemptId) =>
          createInputGate({
            channels: gate.channels,
            localAddress: address,
            partitions,
            connectRemote: partitionClients.connectRemote,
            consumerAttemptId,
            counters: exchanged,
          }),
        reportState: (state, failure) =>
          jobManager.updateTaskExecutionState({
            taskExecutorId,
            jobId: descriptor.jobId,
            executionAttemptId: descriptor.executionAttemptId,
            state,
            failure,
          }),
        collect: (records) =>
          jobManager.reportCollectedRecords(descriptor.jobId, descriptor.executionAttemptId, records),
        print: (text) => output.print(descriptor, text),
        acknowledgeCheckpoint: (checkpointId, state) =>
          jobManager.acknowledgeCheckpoint(descriptor.jobId, descriptor.executionAttemptId, checkpointId, state),
        declineCheckpoint: (checkpointId, reason) =>
          jobManager.declineCheckpoint(descriptor.jobId, descriptor.executionAttemptId, checkpointId, reason),
        driverMemory: (sample) =>
          driverMemory.record(descriptor.executionAttemptId, driverMemoryReport(descriptor, sample)),
      },
    });
  const tasks = new TaskRegistry({ slots, createTask });

  const host = await startServerHost({
    listen: options.listen,
    logger,
    security: options.security,
    maxMessageBytes: options.maxMessageBytes,
    maxStreamsPerCaller: options.maxStreamsPerCaller,
    services: [
      taskExecutorService({
        taskExecutorId,
        slots,
        tasks,
        exchangeData: exchangeDataHandler(partitions, { logger }),
        onAllocationFreed: (allocationId) => {
          for (const attempt of tasks.takeAttemptsOfAllocation(allocationId))
            partitions.releaseAttempt(attempt, `slot ${allocationId} was freed`);
        },
        onShutDown: (reason) => options.onStop(reason, 0),
      }),
    ],
  });
  address = host.address;
  let markRegistered!: () => void;
  const registered = new Promise<void>((resolve) => (markRegistered = resolve));
  let connection: JobManagerConnection | undefined;
  const joinJobManager = (jobManagerHostPort: HostPort) => {
    jobManagerAddress = formatHostPort(jobManagerHostPort);
    jobManager = grpcJobManagerGateway(jobManagerAddress, undefined, options.clientSecurity);
    blobs = grpcBlobGateway(jobManagerAddress, { security: options.clientSecurity });
    bundles = new BundleCache({ stateDir: options.stateDir, source: blobs, uriRoots: options.bundleUriRoots });
    output = new TaskOutputForwarder(jobManager, (text) => process.stdout.write(text), logger);
    connection = new JobManagerConnection({
      taskExecutorId,
      address: host.address,
      jobManagerAddress,
      gateway: jobManager,
      unreachableTimeoutMs: options.jobManagerTimeoutMs,
      slots: () => slots.report(),
      runningAttempts: () => tasks.runningAttempts(),
      metrics: () => ({
        networkExchange: exchanged.of('network'),
        localExchange: exchanged.of('local'),
        drivers: driverMemory.current(new Set(tasks.runningAttempts())),
      }),
      onRegistered: markRegistered,
      onUnknownAttempts: (attempts) => {
        logger.info({ attempts }, 'the job manager does not know these attempts any more; cancelling them');
        for (const attempt of attempts) tasks.cancel(attempt);
      },
      onJobManagerLost: (reason) => {
        logger.error({ jobManager: jobManagerAddress }, `giving up: ${reason}`);
        options.onStop(reason, 1);
      },
      logger,
    });
    connection.start();
  };
  // Aborted at shutdown, so a task executor still waiting for its job manager's address stops waiting.
  const stopRetrieval = new AbortController();
  if (!retrieval) joinJobManager(options.jobmanager as HostPort);
  else {
    retrieval.retrieve(stopRetrieval.signal).then(
      (jobManagerHostPort) => {
        if (!stopRetrieval.signal.aborted) joinJobManager(jobManagerHostPort);
      },
      (error: unknown) => {
        if (stopRetrieval.signal.aborted) return;
        const reason = `cannot learn the job manager's address from ${retrieval.description}: ${(error as Error).message}`;
        logger.error(`giving up: ${reason}`);
        options.onStop(reason, 1);
      },
    );
  }
  logger.info(
    {
      address: host.address,
      slots: options.slots,
      cpus: options.cpus,
      memoryMb: options.memoryMb,
      jobManager: jobManagerAddress,
      stateDir: options.stateDir,
    },
    'task executor started',
  );
  return {
    taskExecutorId,
    address: host.address,
    registered,
    async shutdown() {
      stopRetrieval.abort();
      connection?.stop();
      await tasks.close();
      await workerCache.close();
      partitions.close('the task executor is shutting down');
      partitionClients.close();
      bundles?.close();
      blobs?.close();
      await host.shutdown();
    },
  };
}
