/**
 * Waits until every task executor of a new cluster has registered with its job manager, asking the
 * job manager (RequestClusterOverview) rather than trusting that started processes will join. Each
 * task executor is told its resource id at start (`--resource-id`), and the job manager lists the
 * ids of those registered, so a member is recognised by its name, not by its process. A process
 * that exits first, or a deadline that passes, fails the wait naming the process and showing the
 * end of its log.
 */
import { delay } from 'abort-controller-x';
import { DeploymentError } from '../DeploymentError.js';
import type { JobManagerAdmin } from '../DeploymentTarget.js';
import type { LocalProcess } from './LocalProcess.js';

// Often enough that a cluster is seen RUNNING soon after its last task executor registered; one overview is a small unary call.
const POLL_MS = 50;

/** A task executor to wait for: its process, and the resource id it registers with. */
export interface StartingTaskExecutor {
  process: LocalProcess;
  resourceId: string;
}

/**
 * Resolves once the job manager lists every one of `taskExecutors` as registered; `onRegistered`
 * hears each count of them it saw that is higher than the one before, short of all of them.
 */
export async function waitForTaskExecutors(
  admin: JobManagerAdmin,
  jobManager: LocalProcess,
  taskExecutors: readonly StartingTaskExecutor[],
  timeoutMs: number,
  signal: AbortSignal,
  onRegistered: (registered: number) => void = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let registered = new Set<string>();
  let lastError = '';
  let reported = 0;
  for (;;) {
    for (const process of [jobManager, ...taskExecutors.map((taskExecutor) => taskExecutor.process)]) {
      const exit = process.exitDescription();
      if (exit !== undefined) {
        throw new DeploymentError(
          `${process.label} ${exit} while the cluster was starting; the end of its log (${process.logPath}):\n${process.logTail()}`,
        );
      }
    }
    try {
      const overview = await admin.overview({ timeoutMs: 2000, signal });
      registered = new Set(overview.registered.map((taskExecutor) => taskExecutor.id));
      const count = taskExecutors.filter(({ resourceId }) => registered.has(resourceId)).length;
      if (count === taskExecutors.length) return;
      if (count > reported) onRegistered((reported = count));
      lastError = '';
    } catch (error) {
      if (signal.aborted) throw error;
      lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      const missing = taskExecutors
        .filter(({ resourceId }) => !registered.has(resourceId))
        .map(({ process }) => process);
      const details = missing
        .map((process) => `${process.label}, log ${process.logPath}:\n${process.logTail(10)}`)
        .join('\n');
      throw new DeploymentError(
        `${taskExecutors.length - missing.length} of ${taskExecutors.length} task executors registered within ${timeoutMs} ms` +
          `${lastError ? ` (the job manager did not answer: ${lastError})` : ''}; not registered: ${details}`,
      );
    }
    await delay(signal, POLL_MS);
  }
}
