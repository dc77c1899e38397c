/**
 * One execution attempt on a task executor (Flink's `Task`): it loads the bundle, sets up the
 * attempt's result partitions and input, starts a worker thread that runs the operators, and
 * reports every state change to the job master: INITIALIZING while it prepares, RUNNING once the
 * worker runs, then FINISHED, FAILED or CANCELED. Cancellation asks the worker to stop; a worker
 * that has not stopped after the grace period is terminated. An attempt that does not finish
 * releases its partitions, so nothing it produced reaches a consumer afterwards. A driver job's
 * task runs `main()` in the same way, with the driver's heap limit on its worker, and its worker's
 * stdout and stderr forwarded to the job manager before its end is reported. A pipeline task of a
 * stored bundle may run in a worker kept from an earlier task of that bundle, and its worker is
 * kept in turn when it FINISHED cleanly (TaskWorkerLibraryCache); any other end terminates it, so
 * a failed or cancelled attempt's next try starts in a fresh isolate.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import { serializeError, type ExecutionState, type SerializedError } from '../../common/status.js';
import { driverOperatorOf, driverResources } from '../../driver/driverOperatorOf.js';
import { driverOutOfHeapFailure } from '../../driver/driverOutOfHeapFailure.js';
import type { InputGateDescriptor, TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import type { TaskOutputStream } from '../../runtime/JobManagerGateway.js';
import { barrierBatch, checkpointIdOfBarrier } from '../network/CheckpointBarrier.js';
import { ownBuffer } from './serializeBatch.js';
import { taskNameOf } from './taskName.js';
import type { TaskWorkerLibraryCache } from './TaskWorkerLibraryCache.js';
import { taskWorkerEntry } from './taskWorkerEntry.js';
import { workerReuseKey } from './workerReuseKey.js';
import { WorkerOutputForwarder, type TaskOutputReporter } from './WorkerOutputForwarder.js';
import type { FromWorker, TaskWorkerData, ToWorker } from './workerProtocol.js';

/** A serialized batch on the data path. */
export interface TaskBatch {
  count: number;
  payload: Uint8Array;
}

/** One output of the attempt, as the network layer holds it. */
export interface TaskResultPartition {
  /** Resolves once the subpartition took the batch (it waits while the subpartition is full). */
  emit(subpartition: number, batch: TaskBatch): Promise<void>;
  /** Marks the end of the data of every subpartition. */
  finish(): void;
  /** Drops the data; consumers see a failure. */
  release(reason: string): void;
}

/** The input of the attempt, as the network layer delivers it. */
export interface TaskInputGate {
  /** The next batch from any channel, or undefined once every channel ended. */
  next(): Promise<{ channelIndex: number; batch: TaskBatch } | undefined>;
  /** The task is done with one batch of `channelIndex`. */
  recycle(channelIndex: number): void;
  /** Stops reading. */
  close(): void;
}

/** What a task needs from its task executor. */
export interface TaskServices {
  /** The folder the bundle of `descriptor.bundle` is unpacked in (undefined when there is none). */
  resolveBundle(descriptor: TaskDeploymentDescriptor): Promise<string | undefined>;
  /** Registers the partition an output writes to. */
  createResultPartition(partitionId: string, subpartitions: number): TaskResultPartition;
  /** Opens the input of a consumer task. */
  openInputGate(gate: InputGateDescriptor, consumerExecutionAttemptId: string): TaskInputGate;
  /** Tells the job master about a state change; resolves false when the attempt is no longer wanted. */
  reportState(state: ExecutionState, failure?: SerializedError): Promise<boolean>;
  /** Hands collect sink records to the job manager; resolves false when they will not count. */
  collect(records: unknown[]): Promise<boolean>;
  /** Takes what a print sink wrote. */
  print(text: string): void;
  /** Hands the task's snapshot for a checkpoint to the job master; resolves false when it is no longer wanted. */
  acknowledgeCheckpoint?(checkpointId: number, state: Uint8Array): Promise<boolean>;
  /** Tells the job master that the task could not snapshot for a checkpoint. */
  declineCheckpoint?(checkpointId: number, reason: string): Promise<void>;
  /** Takes a driver's memory sample (a driver task's worker sends them while it runs and at its end). */
  driverMemory?(sample: DriverMemorySample): void;
}

/** A driver's memory as its worker measured it, in bytes. */
export interface DriverMemorySample {
  heapUsedBytes: number;
  directUsedBytes: number;
  nativeUsedBytes: number;
}

/** Options of a {@link Task}. */
export interface TaskOptions {
  descriptor: TaskDeploymentDescriptor;
  services: TaskServices;
  logger: Logger;
  /** How long a cancelled worker may take to stop before it is terminated, in milliseconds. */
  cancellationGraceMs: number;
  /** Records per source batch; the sources' default when unset. */
  batchSize?: number;
  /**
   * Connects a driver task to its job manager (the descriptor's, the one the driver's environment
   * submits to) for its stdout and stderr; closed at the end. Only driver tasks call it; the task
   * executor passes its gRPC client of the job manager, the job manager a direct one.
   */
  connectOutputReporter: (jobmanagerAddress: string) => TaskOutputReporter & { close(): void };
  /** How a driver's `main()` reaches its job manager (TLS, the cluster's secret); plaintext without credentials when not given. */
  clientSecurity?: ClientSecurity;
  /** Writes a driver's output in this process; to its stdout and stderr by default. */
  writeLocalOutput?: (stream: TaskOutputStream, data: Uint8Array) => void;
  /** Where a worker is taken from and kept for the next task of its bundle; every task starts a fresh worker when not given. */
  workerCache?: TaskWorkerLibraryCache;
}

/** A running execution attempt. */
export class Task {
  private state: ExecutionState = 'CREATED';
  private worker: Worker | undefined;
  /** Removes this attempt's listeners from its worker (before the worker is kept for another task). */
  private detachWorker: (() => void) | undefined;
  /** Under which key the worker may be kept once the attempt finished cleanly; undefined when it may not. */
  private reuseKey: string | undefined;
  /** Whether the worker said it can take another task (see the `finished` message). */
  private workerReusable = false;
  private partitions: TaskResultPartition[] = [];
  private gate: TaskInputGate | undefined;
  private cancelRequested = false;
  /** Set once the attempt started to end (a driver's output may still be on its way). */
  private ending = false;
  /** Stops taking a driver's output and resolves once it reached the job manager. */
  private closeOutput: (() => Promise<void>) | undefined;
  /** Takes a line of a driver's logger (the driver log's LOGGER stream); unset for pipeline tasks. */
  private writeLoggerLine: ((text: string) => void) | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private reports: Promise<unknown> = Promise.resolve();
  private settle!: (state: ExecutionState) => void;
  private readonly logger: Logger;
  /** Resolves with the final state once the attempt has ended and the end was reported. */
  readonly terminated: Promise<ExecutionState> = new Promise((resolve) => (this.settle = resolve));
  /** The readable name, `Map -> Sink (2/4)`. */
  readonly name: string;

  constructor(private readonly options: TaskOptions) {
    this.name = taskNameOf(options.descriptor);
    this.logger = options.logger.child({ task: this.name, executionAttemptId: options.descriptor.executionAttemptId });
  }

  get executionAttemptId(): string {
    return this.options.descriptor.executionAttemptId;
  }

  get descriptor(): TaskDeploymentDescriptor {
    return this.options.descriptor;
  }

  /** Whether the attempt has ended. */
  get isTerminal(): boolean {
    return this.state === 'FINISHED' || this.state === 'FAILED' || this.state === 'CANCELED';
  }

  /** Prepares and starts the attempt; failures are reported as FAILED, never thrown. */
  start(): void {
    void this.run().catch((error: unknown) => this.end('FAILED', serializeError(error)));
  }

  /**
   * Starts checkpoint `checkpointId` in a running source task (the worker snapshots and sends the
   * barrier downstream; with `stop` its source then stops, stop-with-savepoint); false when the
   * attempt is not running.
   */
  triggerCheckpoint(checkpointId: number, _timestamp: number, stop = false): boolean {
    if (this.state !== 'RUNNING' || this.ending || this.cancelRequested) return false;
    this.post({ type: 'triggerCheckpoint', checkpointId, stop });
    return true;
  }

  /** Tells the worker that checkpoint `checkpointId` completed, so its sink commits. */
  confirmCheckpoint(checkpointId: number): void {
    if (this.state === 'RUNNING' && !this.ending) this.post({ type: 'checkpointComplete', checkpointId });
  }

  /** Asks the attempt to stop; resolves once it has ended. */
  cancel(): Promise<ExecutionState> {
    if (this.isTerminal || this.ending || this.cancelRequested) return this.terminated;
    this.cancelRequested = true;
    if (!this.worker) {
      void this.end('CANCELED');
      return this.terminated;
    }
    this.post({ type: 'cancel' });
    this.gate?.close();
    this.graceTimer = setTimeout(() => {
      this.logger.warn(
        { graceMs: this.options.cancellationGraceMs },
        'the task did not stop after cancellation; terminating its worker',
      );
      void this.end('CANCELED');
    }, this.options.cancellationGraceMs);
    return this.terminated;
  }

  private async run(): Promise<void> {
    const { descriptor, services } = this.options;
    this.transition('INITIALIZING');
    const bundleRoot = await services.resolveBundle(descriptor);
    if (this.cancelRequested || this.isTerminal) return;
    this.partitions = descriptor.outputs.map((output) =>
      services.createResultPartition(output.partitionId, output.subpartitions),
    );
    if (descriptor.inputs.length > 0)
      this.gate = services.openInputGate(descriptor.inputs[0], descriptor.executionAttemptId);
    const driver = driverOperatorOf(descriptor);
    const heapMb = driver ? driverResources(driver, descriptor).heapMemoryMb : descriptor.resources.heapMemoryMb;
    const task: TaskWorkerData = {
      descriptor,
      bundleRoot,
      batchSize: this.options.batchSize,
      clientSecurity: driver ? this.options.clientSecurity : undefined,
    };
    this.reuseKey = this.options.workerCache ? workerReuseKey(descriptor, heapMb) : undefined;
    const kept = this.reuseKey === undefined ? undefined : this.options.workerCache?.take(this.reuseKey);
    const worker =
      kept ??
      new Worker(taskWorkerEntry(), {
        name: this.name,
        resourceLimits: heapMb > 0 ? { maxOldGenerationSizeMb: heapMb } : undefined,
        // A driver's console is its application's output: captured here, forwarded by forwardOutput().
        stdout: driver !== undefined,
        stderr: driver !== undefined,
      });
    if (kept) this.logger.debug('the task runs in a worker kept from an earlier task of its bundle');
    this.worker = worker;
    if (driver) this.forwardOutput(worker);
    const onMessage = (message: FromWorker) => this.onWorkerMessage(message);
    const onError = (error: Error) => {
      if (driver && (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY')
        return void this.end('FAILED', driverOutOfHeapFailure(heapMb, error));
      const limit =
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && heapMb > 0
          ? ` (the task's heap is limited to ${heapMb} MiB)`
          : '';
      void this.end(
        'FAILED',
        serializeError(limit ? Object.assign(new Error(`${error.message}${limit}`), { name: error.name }) : error),
      );
    };
    const onExit = (code: number) => {
      if (!this.isTerminal)
        void this.end(this.cancelRequested ? 'CANCELED' : 'FAILED', {
          name: 'Error',
          message: `the worker thread of task ${this.name} exited with code ${code}`,
          stack: '',
        });
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    this.detachWorker = () => void worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    worker.postMessage({ type: 'run', task } satisfies ToWorker);
    if (this.gate) void this.pumpInput(this.gate);
  }

  /** Sends what a driver's worker writes to this process's stdout/stderr and to the job manager, in order. */
  private forwardOutput(worker: Worker): void {
    const { descriptor, connectOutputReporter, writeLocalOutput = writeToProcess } = this.options;
    const reporter = connectOutputReporter(descriptor.jobmanagerAddress);
    const output = new WorkerOutputForwarder({
      jobId: descriptor.jobId,
      executionAttemptId: descriptor.executionAttemptId,
      reporter,
      writeLocal: writeLocalOutput,
      logger: this.logger,
    });
    worker.stdout.on('data', (chunk: Buffer) => output.write('stdout', chunk));
    worker.stderr.on('data', (chunk: Buffer) => output.write('stderr', chunk));
    this.writeLoggerLine = (text) => output.write('logger', Buffer.from(text, 'utf8'));
    this.closeOutput = async () => {
      await output.close();
      reporter.close();
    };
  }

  /** Moves input batches from the gate to the worker; credits come back as the worker recycles them. */
  private async pumpInput(gate: TaskInputGate): Promise<void> {
    try {
      for (;;) {
        const next = await gate.next();
        if (this.isTerminal) return;
        if (next === undefined) {
          this.post({ type: 'inputEnd' });
          return;
        }
        const checkpointId = checkpointIdOfBarrier(next.batch);
        if (checkpointId !== undefined) {
          // A barrier is consumed at once (its credit returns); the worker aligns the channels.
          gate.recycle(next.channelIndex);
          this.post({ type: 'barrier', channel: next.channelIndex, checkpointId });
          continue;
        }
        const payload = ownBuffer(next.batch.payload);
        this.post({ type: 'input', channel: next.channelIndex, count: next.batch.count, payload }, [payload]);
      }
    } catch (error) {
      if (!this.isTerminal && !this.cancelRequested) this.post({ type: 'inputFailed', error: serializeError(error) });
    }
  }

  private onWorkerMessage(message: FromWorker): void {
    const { services } = this.options;
    switch (message.type) {
      case 'started':
        if (!this.cancelRequested && !this.ending) this.transition('RUNNING');
        break;
      case 'emit':
        this.acknowledge(
          message.id,
          this.partitions[message.output].emit(message.channel, {
            count: message.count,
            payload: new Uint8Array(message.payload),
          }),
        );
        break;
      case 'finishOutput':
        this.acknowledge(
          message.id,
          Promise.resolve().then(() => this.partitions[message.output].finish()),
        );
        break;
      case 'broadcastBarrier': {
        const barrier = barrierBatch(message.checkpointId);
        const taken = this.partitions.flatMap((partition, output) =>
          Array.from({ length: this.options.descriptor.outputs[output].subpartitions }, (_, subpartition) =>
            partition.emit(subpartition, barrier),
          ),
        );
        this.acknowledge(message.id, Promise.all(taken));
        break;
      }
      case 'checkpointState':
        void services
          .acknowledgeCheckpoint?.(message.checkpointId, new Uint8Array(message.state))
          .catch((error: unknown) =>
            this.logger.warn({ err: error, checkpointId: message.checkpointId }, 'could not acknowledge a checkpoint'),
          );
        break;
      case 'declineCheckpoint':
        this.logger.warn({ checkpointId: message.checkpointId, reason: message.reason }, 'checkpoint declined');
        void services.declineCheckpoint?.(message.checkpointId, message.reason).catch(() => undefined);
        break;
      case 'collect':
        this.acknowledge(
          message.id,
          services.collect(message.records).then((accepted) => {
            if (!accepted)
              throw new Error(`the job manager no longer accepts records from attempt ${this.executionAttemptId}`);
          }),
        );
        break;
      case 'print':
        services.print(message.text);
        break;
      case 'memory':
        services.driverMemory?.(message);
        break;
      case 'log':
        this.writeLoggerLine?.(message.text);
        break;
      case 'recycle':
        this.gate?.recycle(message.channel);
        break;
      case 'finished':
        this.logger.debug(
          { numRecordsIn: message.numRecordsIn, numRecordsOut: message.numRecordsOut },
          'task finished',
        );
        this.workerReusable = message.reusable;
        void this.end('FINISHED');
        break;
      case 'failed':
        void this.end(this.cancelRequested ? 'CANCELED' : 'FAILED', message.error);
        break;
      case 'canceled':
        void this.end('CANCELED');
        break;
    }
  }

  private acknowledge(id: number, work: Promise<unknown>): void {
    work.then(
      () => this.post({ type: 'ack', id }),
      (error: unknown) => this.post({ type: 'ack', id, error: serializeError(error) }),
    );
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.worker && !this.isTerminal) this.worker.postMessage(message, transfer);
  }

  private async end(state: 'FINISHED' | 'FAILED' | 'CANCELED', failure?: SerializedError): Promise<void> {
    if (this.isTerminal || this.ending) return;
    this.ending = true;
    clearTimeout(this.graceTimer);
    if (state !== 'FINISHED') for (const partition of this.partitions) partition.release(`task ${this.name} ${state}`);
    this.gate?.close();
    const worker = this.worker;
    // A driver's last lines reach the job manager before its end does (the job's output closes then).
    if (this.closeOutput) await this.closeOutput();
    this.transition(state, failure);
    if (state === 'FAILED') this.logger.warn({ failure: failure?.message }, 'task failed');
    else this.logger.info(`task ${state}`);
    if (worker) await this.releaseWorker(worker, state);
    await this.reports;
    this.settle(state);
  }

  /**
   * Keeps the worker for the next task of its bundle when this attempt FINISHED cleanly (not
   * cancelled, the worker's heap has room, the task may share its worker), else terminates it.
   */
  private async releaseWorker(worker: Worker, state: ExecutionState): Promise<void> {
    this.detachWorker?.();
    const { workerCache } = this.options;
    if (
      state === 'FINISHED' &&
      !this.cancelRequested &&
      this.workerReusable &&
      this.reuseKey !== undefined &&
      workerCache
    ) {
      workerCache.keep(this.reuseKey, worker);
      return;
    }
    // Terminating can still report an error of the worker; its task has ended and does not care.
    worker.on('error', () => undefined);
    await worker.terminate();
  }

  /** Records the state and reports it; reports go out in order, one at a time. */
  private transition(state: ExecutionState, failure?: SerializedError): void {
    this.state = state;
    this.reports = this.reports.then(async () => {
      const accepted = await this.options.services.reportState(state, failure).catch((error: unknown) => {
        this.logger.warn(
          { state, error: (error as Error).message },
          'could not report the task state to the job manager',
        );
        return true;
      });
      if (!accepted && !this.isTerminal) {
        this.logger.info('the job manager no longer knows this attempt; cancelling it');
        void this.cancel();
      }
    });
  }
}

function writeToProcess(stream: TaskOutputStream, data: Uint8Array): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(data);
}
