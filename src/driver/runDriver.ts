/**
 * Runs an application's `main(env, args)` in a driver task's worker thread (FLIP-40's driver). The
 * environment submits to the job manager of the driver's own cluster, as jobs of the driver's
 * application with living priority NORMAL, named with the application's name as prefix, carrying
 * the driver's bundle; functions are captured relative to the unpacked bundle, so task executors
 * load them from the same files. The driver ends when `main` returns or its promise settles; its
 * memory watch or its task's cancellation end it early. How jobs reach the job manager is passed
 * in (`connectSubmitter`): src/driver/service/runDriverTask.ts wires the gRPC submitter.
 */
import { abortable } from 'abort-controller-x';
import { ExecutionEnvironment } from '../api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../api/functions/bundleFunctionCapturer.js';
import type { JobSubmitter } from '../api/JobSubmitter.js';
import type { LogSink } from '../api/Logger.js';
import type { LivingPriority } from '../common/status.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import { DriverEntryError } from './DriverEntryError.js';
import { DriverMemoryWatch } from './DriverMemoryWatch.js';
import { driverOperatorOf, driverResources } from './driverOperatorOf.js';
import { loadDriverMain } from './loadDriverMain.js';

/** What a driver run needs. */
export interface RunDriverOptions {
  /** The driver task's deployment. */
  descriptor: TaskDeploymentDescriptor;
  /** Where the task executor unpacked the bundle; undefined when the job has none. */
  bundleRoot: string | undefined;
  /** Aborted when the driver task is cancelled. */
  signal: AbortSignal;
  /** Connects the environment to the job manager its jobs go to; the submitter is closed when the driver ends. */
  connectSubmitter: (target: DriverJobTarget) => JobSubmitter & { close(): void };
  /** Where `env.getLogger()`'s lines go: the driver log's LOGGER stream. */
  logSink: LogSink;
}

/** Where a driver's jobs go: its own cluster's job manager, as jobs of its application. */
export interface DriverJobTarget {
  /** The job manager's address, HOST:PORT. */
  address: string;
  applicationId: string;
  livingPriority: LivingPriority;
}

/**
 * Loads and runs the driver's `main`. Resolves when `main` returned (or its promise resolved);
 * rejects with the user's error when it threw, with a DriverMemoryLimitError when the driver
 * passed its direct or native memory, with an AbortError when cancelled.
 */
export async function runDriver({
  descriptor,
  bundleRoot,
  signal,
  connectSubmitter,
  logSink,
}: RunDriverOptions): Promise<void> {
  const driver = driverOperatorOf(descriptor);
  if (!driver)
    throw new DriverEntryError(`task ${descriptor.vertexName} of job ${descriptor.jobId} has no driver operator`);
  if (bundleRoot === undefined)
    throw new DriverEntryError(
      `the driver job ${descriptor.jobId} has no bundle to load its entry "${driver.entry}" from`,
    );
  const main = await abortable(signal, loadDriverMain(bundleRoot, driver.entry));
  const limits = driverResources(driver, descriptor);
  const submitter = connectSubmitter({
    address: descriptor.jobmanagerAddress,
    applicationId: driver.applicationId,
    livingPriority: 'NORMAL',
  });
  let watch: DriverMemoryWatch | undefined;
  const exceeded = new Promise<never>((_, reject) => {
    watch = new DriverMemoryWatch({
      directMemoryMb: limits.directMemoryMb,
      nativeMemoryMb: limits.nativeMemoryMb,
      onExceeded: reject,
    });
  });
  try {
    const env = new ExecutionEnvironment({
      submitter,
      captureFunction: bundleFunctionCapturer(bundleRoot),
      jobNamePrefix: driver.applicationName,
      bundle: descriptor.bundle,
      defaultParallelism: driver.defaultParallelism > 0 ? driver.defaultParallelism : undefined,
      properties: driver.properties,
      logSink,
    });
    watch!.start();
    await abortable(signal, Promise.race([Promise.resolve().then(() => main(env, [...driver.args])), exceeded]));
  } finally {
    watch!.stop();
    submitter.close();
  }
}
