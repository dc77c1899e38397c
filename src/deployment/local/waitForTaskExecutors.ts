/**
 * Waits until every task executor of a new cluster has registered with its job manager, asking the
 * job manager (RequestClusterOverview) rather than trusting that started processes will join. A
 * process that exits first, or a deadline that passes, fails the wait naming the process and
 * showing the end of its log.
 */
import { delay } from 'abort-controller-x';
import { DeploymentError } from '../DeploymentError.js';
import type { JobManagerAdmin } from '../DeploymentTarget.js';
import type { LocalProcess } from './LocalProcess.js';
import { logTail } from './logTail.js';

// Often enough that a cluster is seen RUNNING soon after its last task executor registered; one overview is a small unary call.
const POLL_MS = 50;

/** Resolves once the job manager counts every one of `taskExecutors` as registered. */
export async function waitForTaskExecutors(
  admin: JobManagerAdmin,
  jobManager: LocalProcess,
  taskExecutors: readonly LocalProcess[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let registered: number[] = [];
  let lastError = '';
  for (;;) {
    for (const process of [jobManager, ...taskExecutors]) {
      const exit = process.exitDescription();
      if (exit !== undefined) {
        throw new DeploymentError(
          `${process.label} ${exit} while the cluster was starting; the end of its log (${process.info.logFile}):\n${logTail(process.info.logFile)}`,
        );
      }
    }
    try {
      const overview = await admin.overview({ timeoutMs: 2000, signal });
      registered = overview.taskExecutorPids;
      if (taskExecutors.every((process) => registered.includes(process.info.pid))) return;
      lastError = '';
    } catch (error) {
      if (signal.aborted) throw error;
      lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      const missing = taskExecutors.filter((process) => !registered.includes(process.info.pid));
      const details = missing
        .map((process) => `${process.label}, log ${process.info.logFile}:\n${logTail(process.info.logFile, 10)}`)
        .join('\n');
      throw new DeploymentError(
        `${taskExecutors.length - missing.length} of ${taskExecutors.length} task executors registered within ${timeoutMs} ms` +
          `${lastError ? ` (the job manager did not answer: ${lastError})` : ''}; not registered: ${details}`,
      );
    }
    await delay(signal, POLL_MS);
  }
}
