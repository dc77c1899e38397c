/** How a cluster's job manager ended, as its deployment target sees it. */
import type { ClusterHandle } from '../../deployment/DeploymentTarget.js';

/**
 * How the job manager ended, such as "exited with code 1"; undefined while it runs, and when the
 * target cannot tell (it has no record of it, its liveness is unknown, or asking failed): the
 * caller then judges by whether the job manager answers.
 */
export async function jobManagerExit(handle: ClusterHandle): Promise<string | undefined> {
  try {
    const jobManager = (await handle.members()).find((member) => member.role === 'jobmanager');
    return jobManager?.phase === 'exited' ? (jobManager.exitReason ?? 'exited') : undefined;
  } catch {
    return undefined;
  }
}
