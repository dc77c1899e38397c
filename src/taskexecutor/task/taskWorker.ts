/**
 * The entry of a task's worker thread: rebuilds the user's functions from the bundle and runs the
 * subtask's pipeline, or, for a driver job's task, the application's `main(env, args)`
 * (src/driver), talking to the main thread only through messages (see workerProtocol.ts).
 * User code runs here, so a busy or blocking function never delays the task executor's RPCs and
 * heartbeats, and a task that ignores cancellation can be terminated without taking the process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAbortError } from 'abort-controller-x';
import { serializeError } from '../../common/status.js';
import { loadUserFunction } from '../../api/functions/loadUserFunction.js';
import { driverOperatorOf } from '../../driver/driverOperatorOf.js';
import type { FunctionLoader, UserFunction } from '../operators/FunctionLoader.js';
import { createOutputPartitioner } from '../operators/createOutputPartitioner.js';
import { runTaskPipeline } from '../operators/runTaskPipeline.js';
import { flushWorkerStdio } from './flushWorkerStdio.js';
import { taskNameOf } from './taskName.js';
import { WorkerChannel } from './WorkerChannel.js';
import { WorkerInput } from './WorkerInput.js';
import { WorkerOutput } from './WorkerOutput.js';
import type { TaskWorkerData, ToWorker } from './workerProtocol.js';

const port = parentPort;
if (!port) throw new Error('taskWorker.js runs inside a worker thread started by a task executor');
const { descriptor, bundleRoot, batchSize, clientSecurity } = workerData as TaskWorkerData;
const channel = new WorkerChannel(port);
const aborter = new AbortController();
const input = descriptor.inputs.length > 0 ? new WorkerInput((from) => channel.post({ type: 'recycle', channel: from })) : undefined;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'input':
      input?.push({ channel: message.channel, payload: message.payload });
      break;
    case 'inputEnd':
      input?.push({ end: true });
      break;
    case 'inputFailed':
      input?.push({ error: message.error });
      break;
    case 'ack':
      channel.acknowledge(message);
      break;
    case 'cancel':
      aborter.abort();
      channel.rejectAll(new Error('the task was cancelled'));
      break;
  }
});

/** Print sink lines, sent to the main thread once per turn of the event loop instead of per line. */
let printed: string[] = [];
function printLine(line: string): void {
  if (printed.length === 0) setImmediate(flushPrinted);
  printed.push(`${line}\n`);
}
function flushPrinted(): void {
  if (printed.length === 0) return;
  channel.post({ type: 'print', text: printed.join('') });
  printed = [];
}

async function run(): Promise<void> {
  const loader: FunctionLoader = (spec) => loadUserFunction<UserFunction>(spec, { bundleRoot: bundleRoot ?? process.cwd() });
  channel.post({ type: 'started' });
  try {
    if (descriptor.inputs.length > 1) throw new Error(`task ${taskNameOf(descriptor)} has ${descriptor.inputs.length} inputs; this version runs tasks with at most one`);
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
      input,
      keySelector: descriptor.inputs[0]?.keySelector,
      keyedMode: { runtimeMode: descriptor.runtimeMode ?? 'STREAMING', preAggregated: descriptor.inputs[0]?.preAggregated === true },
      output: partitioners.length > 0 ? new WorkerOutput(channel, partitioners) : undefined,
      sinks: { printLine, collect: (records) => channel.request({ type: 'collect', records }) },
      signal: aborter.signal,
    });
    flushPrinted();
    channel.post({ type: 'finished', ...result });
  } catch (error) {
    flushPrinted();
    if (aborter.signal.aborted || isAbortError(error)) channel.post({ type: 'canceled' });
    else channel.post({ type: 'failed', error: serializeError(error) });
  }
}

/** Runs a driver's `main()`; its console output reaches the main thread before its end is reported. */
async function runDriverTask(): Promise<void> {
  channel.post({ type: 'started' });
  try {
    // Loaded here, not above: pipeline tasks never pay for the driver's gRPC client and user API.
    const { runDriver } = await import('../../driver/runDriver.js');
    await runDriver({ descriptor, bundleRoot, signal: aborter.signal, clientSecurity });
    await flushWorkerStdio();
    channel.post({ type: 'finished', numRecordsIn: 0, numRecordsOut: 0 });
  } catch (error) {
    await flushWorkerStdio();
    // Only a cancellation cancels a driver: an AbortError of the user's own fails it like any error.
    if (aborter.signal.aborted) channel.post({ type: 'canceled' });
    else channel.post({ type: 'failed', error: serializeError(error) });
  }
}

void (driverOperatorOf(descriptor) ? runDriverTask() : run());
