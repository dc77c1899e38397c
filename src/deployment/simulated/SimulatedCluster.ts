/**
 * The handle of a simulated cluster: no process, only its job manager in the simulating process's
 * memory. Tearing it down shuts that job manager down (its jobs are cancelled) and forgets it; a
 * handle attached after a restart finds nothing, and says the cluster ended with the process that
 * simulated it.
 */
import type { ClusterHandle, ClusterProcess } from '../DeploymentTarget.js';
import type { SimulatedJobManager } from './SimulatedJobManager.js';

/** Where a simulated cluster's job manager is found, and how it is let go. */
export interface SimulatedJobManagers {
  jobManager(address: string): SimulatedJobManager | undefined;
  forget(address: string): void;
}

/** A simulated cluster. */
export class SimulatedCluster implements ClusterHandle {
  readonly processes: readonly ClusterProcess[] = [];

  constructor(
    readonly clusterId: string,
    readonly jobmanagerAddress: string,
    private readonly jobManagers: SimulatedJobManagers,
  ) {}

  jobManagerExit(): string | undefined {
    const jobManager = this.jobManagers.jobManager(this.jobmanagerAddress);
    if (!jobManager) return 'existed only in the memory of the control-plane process that simulated it';
    return jobManager.stopReason === undefined ? undefined : `was shut down (${jobManager.stopReason})`;
  }

  async tearDown(reason: string): Promise<void> {
    this.jobManagers.jobManager(this.jobmanagerAddress)?.shutDown(reason);
    this.jobManagers.forget(this.jobmanagerAddress);
  }

  async kill(): Promise<void> {
    await this.tearDown('killed');
  }
}
