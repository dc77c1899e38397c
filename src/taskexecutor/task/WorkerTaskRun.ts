/**
 * One task's run inside a worker thread: rebuilds the user's functions from the bundle and runs
 * the subtask's pipeline, or, for a driver job's task, the application's `main(env, args)`
 * (src/driver, passed in as a {@link DriverRunner}). Everything a run touches is its own: its conversation with the main thread (a
 * {@link WorkerChannel} closed with its last message), its cancellation, its input, its print
 * buffer and fresh operator instances; so a worker kept after a clean end can run the next task
 * of its bundle without anything of this one reaching it. What the worker keeps is what its
 * isolate keeps: the bundle's loaded modules (their module-level state, as Flink's static fields
 * within one user-code class loader) and the rebuilt functions cached by `loadUserFunction`.
 */
import { deserialize, getHeapStatistics, serialize } from 'node:v8';
import { isAbortError } from 'abort-controller-x';
import { serializeError } from '../../common/status.js';
import { loadUserFunction } from '../../api/functions/loadUserFunction.js';
import { driverOperatorOf } from '../../driver/driverOperatorOf.js';
import type { FunctionLoader, UserFunction } from '../operators/FunctionLoader.js';
import { createOutputPartitioner } from '../operators/createOutputPartitioner.js';
import { runTaskPipeline, type TaskCheckpointing } from '../operators/runTaskPipeline.js';
import type { TaskStateSnapshot } from '../../runtime/TaskStateSnapshot.js';
import { CheckpointSignals } from '../checkpointing/CheckpointSignals.js';
import { flushWorkerStdio } from './flushWorkerStdio.js';
import { taskNameOf } from './taskName.js';
import type { WorkerChannel } from './WorkerChannel.js';
import { WorkerInput } from './WorkerInput.js';
import { WorkerOutput } from './WorkerOutput.js';
import type { TaskWorkerData, ToWorker } from './workerProtocol.js';

/**
 * Runs a driver's `main()` in this worker: given the task's descriptor, its unpacked bundle, the
 * run's cancellation and the credentials toward the job manager; settles when `main()` ended.
 * The worker's entry passes it (the driver's gRPC wiring is loaded only when a driver runs).
 */
export type DriverRunner = (run: {
  descriptor: TaskWorkerData['descriptor'];
  bundleRoot: string | undefined;
  signal: AbortSignal;
  clientSecurity: TaskWorkerData['clientSecurity'];
  /** Sends a line of the user API's logger to the main thread, for the driver log's LOGGER stream. */
  logSink: (line: string) => void;
}) => Promise<void>;

/** How often a driver's worker samples its memory for the job manager's metrics, in milliseconds. */
const DRIVER_MEMORY_SAMPLE_MS = 500;

/** A worker whose heap holds more than this share of its limit after a run is not kept for another. */
const REUSABLE_HEAP_SHARE = 0.5;

/** The run of one task in this worker. */
export class WorkerTaskRun {
  private readonly aborter = new AbortController();
  private readonly input: WorkerInput | undefined;
  private readonly checkpointSignals = new CheckpointSignals();
  /** Print sink lines, sent to the main thread once per turn of the event loop instead of per line. */
  private printed: string[] = [];

  constructor(
    private readonly task: TaskWorkerData,
    private readonly channel: WorkerChannel,
    private readonly driverRunner: DriverRunner,
  ) {
    this.input =
      task.descriptor.inputs.length > 0
        ? new WorkerInput(
            (from) => channel.post({ type: 'recycle', channel: from }),
            task.descriptor.inputs[0].channels.length,
          )
        : undefined;
  }

  /** Takes a message of the main thread meant for this run. */
  onMessage(message: ToWorker): void {
    switch (message.type) {
      case 'input':
        this.input?.push({ channel: message.channel, payload: message.payload });
        break;
      case 'barrier':
        this.input?.push({ channel: message.channel, barrier: message.checkpointId });
        break;
      case 'triggerCheckpoint':
        this.checkpointSignals.trigger(message.checkpointId, message.stop);
        break;
      case 'checkpointComplete':
        this.checkpointSignals.complete(message.checkpointId);
        break;
      case 'inputEnd':
        this.input?.push({ end: true });
        break;
      case 'inputFailed':
        this.input?.push({ error: message.error });
        break;
      case 'ack':
        this.channel.acknowledge(message);
        break;
      case 'cancel':
        this.aborter.abort();
        this.channel.rejectAll(new Error('the task was cancelled'));
        break;
      case 'run':
        break;
    }
  }

  /** Runs the task to its end; the end is the channel's last message. */
  run(): Promise<void> {
    return driverOperatorOf(this.task.descriptor) ? this.runDriver() : this.runPipeline();
  }

  private async runPipeline(): Promise<void> {
    const { descriptor, bundleRoot, batchSize } = this.task;
    const loader: FunctionLoader = (spec) =>
      loadUserFunction<UserFunction>(spec, { bundleRoot: bundleRoot ?? process.cwd() });
    const channel = this.channel;
    channel.post({ type: 'started' });
    try {
      if (descriptor.inputs.length > 1)
        throw new Error(
          `task ${taskNameOf(descriptor)} has ${descriptor.inputs.length} inputs; this version runs tasks with at most one`,
        );
      const partitioners = await Promise.all(
        descriptor.outputs.map((output) =>
          createOutputPartitioner({
            shipStrategy: output.shipStrategy,
            numberOfChannels: output.subpartitions,
            subtaskIndex: descriptor.subtaskIndex,
            keySelector: output.keySelector,
            preAggregation: output.preAggregation,
            loader,
          }),
        ),
      );
      const result = await runTaskPipeline({
        operators: descriptor.operators,
        context: {
          subtaskIndex: descriptor.subtaskIndex,
          parallelism: descriptor.parallelism,
          attemptNumber: descriptor.attemptNumber,
          jobId: descriptor.jobId,
          vertexId: descriptor.vertexId,
          executionAttemptId: descriptor.executionAttemptId,
          taskName: taskNameOf(descriptor),
        },
        loader,
        batchSize,
        input: this.input,
        keySelector: descriptor.inputs[0]?.keySelector,
        keyedMode: {
          runtimeMode: descriptor.runtimeMode ?? 'STREAMING',
          preAggregated: descriptor.inputs[0]?.preAggregated === true,
        },
        output: partitioners.length > 0 ? new WorkerOutput(channel, partitioners) : undefined,
        sinks: {
          printLine: (line) => this.printLine(line),
          collect: (records) => channel.request({ type: 'collect', records }),
          checkpointing: descriptor.checkpointing === true,
        },
        signal: this.aborter.signal,
        checkpointing: descriptor.checkpointing ? this.checkpointing(partitioners.length > 0) : undefined,
      });
      this.flushPrinted();
      channel.close({ type: 'finished', ...result, reusable: heapLeavesRoom() });
    } catch (error) {
      this.flushPrinted();
      if (this.aborter.signal.aborted || isAbortError(error)) channel.close({ type: 'canceled' });
      else channel.close({ type: 'failed', error: serializeError(error) });
    }
  }

  /** Runs a driver's `main()`; its console output reaches the main thread before its end is reported. */
  private async runDriver(): Promise<void> {
    const { descriptor, bundleRoot, clientSecurity } = this.task;
    this.channel.post({ type: 'started' });
    const sampleMemory = () => {
      const heap = getHeapStatistics();
      this.channel.post({
        type: 'memory',
        heapUsedBytes: heap.used_heap_size,
        directUsedBytes: heap.external_memory,
        nativeUsedBytes: heap.malloced_memory,
      });
    };
    sampleMemory();
    // Unreferenced: sampling never keeps the driver's worker alive.
    const sampler = setInterval(sampleMemory, DRIVER_MEMORY_SAMPLE_MS).unref();
    try {
      await this.driverRunner({
        descriptor,
        bundleRoot,
        signal: this.aborter.signal,
        clientSecurity,
        logSink: (text) => this.channel.post({ type: 'log', text }),
      });
      await flushWorkerStdio();
      clearInterval(sampler);
      sampleMemory();
      // A driver's worker is never kept: its console and heap limit are its own.
      this.channel.close({ type: 'finished', numRecordsIn: 0, numRecordsOut: 0, reusable: false });
    } catch (error) {
      await flushWorkerStdio();
      clearInterval(sampler);
      sampleMemory();
      // Only a cancellation cancels a driver: an AbortError of the user's own fails it like any error.
      if (this.aborter.signal.aborted) this.channel.close({ type: 'canceled' });
      else this.channel.close({ type: 'failed', error: serializeError(error) });
    }
  }

  /** How the pipeline takes part in checkpoints: snapshots go to the main thread, barriers down every output. */
  private checkpointing(hasOutputs: boolean): TaskCheckpointing {
    const { descriptor } = this.task;
    const channel = this.channel;
    return {
      restored: descriptor.restore ? (deserialize(descriptor.restore.state) as TaskStateSnapshot) : undefined,
      signals: this.checkpointSignals,
      acknowledge: (snapshot) => {
        const bytes = serialize(snapshot);
        const state = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        channel.post({ type: 'checkpointState', checkpointId: snapshot.checkpointId, state }, [state]);
      },
      ...(hasOutputs
        ? {
            broadcastBarrier: async (checkpointId: number) => {
              this.flushPrinted();
              await channel.request({ type: 'broadcastBarrier', checkpointId });
            },
          }
        : {}),
    };
  }

  private printLine(line: string): void {
    if (this.printed.length === 0) setImmediate(() => this.flushPrinted());
    this.printed.push(`${line}\n`);
  }

  private flushPrinted(): void {
    if (this.printed.length === 0) return;
    this.channel.post({ type: 'print', text: this.printed.join('') });
    this.printed = [];
  }
}

/** Whether this isolate's heap, right after a run, leaves room enough to run another task. */
function heapLeavesRoom(): boolean {
  const heap = getHeapStatistics();
  return heap.used_heap_size < heap.heap_size_limit * REUSABLE_HEAP_SHARE;
}
