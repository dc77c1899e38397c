/**
 * The entry of a task's worker thread: runs the tasks the main thread sends it (`run` messages),
 * one at a time, each as a {@link WorkerTaskRun}, talking to the main thread only through messages
 * (see workerProtocol.ts). A new worker gets one task; a worker kept after a clean end
 * (TaskWorkerLibraryCache) gets further tasks of the same bundle, with its modules loaded.
 * User code runs here, so a busy or blocking function never delays the task executor's RPCs and
 * heartbeats, and a task that ignores cancellation can be terminated without taking the process.
 * It is the worker's composition root, so it sits with the task executor's start-up code and wires
 * the driver's gRPC submitter (src/driver/service) into driver runs.
 */
import { parentPort } from 'node:worker_threads';
import { WorkerChannel } from '../task/WorkerChannel.js';
import { WorkerTaskRun, type DriverRunner } from '../task/WorkerTaskRun.js';
import type { ToWorker } from '../task/workerProtocol.js';

const port = parentPort;
if (!port) throw new Error('taskWorker.js runs inside a worker thread started by a task executor');

/** A driver's `main()` with its gRPC wiring, loaded on first use: pipeline tasks never pay for the driver's gRPC client and user API. */
const runDriverTask: DriverRunner = async (run) => {
  const driver = await import('../../driver/service/runDriverTask.js');
  return driver.runDriverTask(run);
};

/** The task this worker runs or ran last; messages other than `run` belong to it. */
let current: WorkerTaskRun | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return current?.onMessage(message);
  current = new WorkerTaskRun(message.task, new WorkerChannel(port), runDriverTask);
  void current.run();
});
