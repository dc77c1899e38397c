/**
 * Runs an application's `main(env, args)` in a driver task's worker thread (FLIP-40's driver). The
 * environment submits to the job manager of the driver's own cluster, as jobs of the driver's
 * application with living priority NORMAL, named with the application's name as prefix, carrying
 * the driver's bundle; functions are captured relative to the unpacked bundle, so task executors
 * load them from the same files. The driver ends when `main` returns or its promise settles; its
 * memory watch or its task's cancellation end it early.
 */
import { abortable } from 'abort-controller-x';
import { ExecutionEnvironment } from '../api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../api/functions/bundleFunctionCapturer.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import { DispatcherJobSubmitter } from '../rpc/dispatcherJobSubmitter.js';
import type { ClientSecurity } from '../rpc/security/ClientSecurity.js';
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
  /** How the environment reaches the job manager (TLS, the cluster's secret); plaintext without credentials when not given. */
  clientSecurity?: ClientSecurity;
}

/**
 * Loads and runs the driver's `main`. Resolves when `main` returned (or its promise resolved);
 * rejects with the user's error when it threw, with a DriverMemoryLimitError when the driver
 * passed its direct or native memory, with an AbortError when cancelled.
 */
export async function runDriver({ descriptor, bundleRoot, signal, clientSecurity }: RunDriverOptions): Promise<void> {
  const driver = driverOperatorOf(descriptor);
  if (!driver)
    throw new DriverEntryError(`task ${descriptor.vertexName} of job ${descriptor.jobId} has no driver operator`);
  if (bundleRoot === undefined)
    throw new DriverEntryError(
      `the driver job ${descriptor.jobId} has no bundle to load its entry "${driver.entry}" from`,
    );
  const main = await abortable(signal, loadDriverMain(bundleRoot, driver.entry));
  const limits = driverResources(driver, descriptor);
  const submitter = new DispatcherJobSubmitter({
    address: descriptor.jobmanagerAddress,
    applicationId: driver.applicationId,
    livingPriority: 'NORMAL',
    security: clientSecurity,
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
    });
    watch!.start();
    await abortable(signal, Promise.race([Promise.resolve().then(() => main(env, [...driver.args])), exceeded]));
  } finally {
    watch!.stop();
    submitter.close();
  }
}
