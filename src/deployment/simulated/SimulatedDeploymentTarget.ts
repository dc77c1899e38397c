/**
 * The `simulated` deployment target: clusters that exist only in the control plane's memory, for
 * benchmarks and demos without processes. A deployment is instant and starts no process; the
 * cluster's job manager is a {@link SimulatedJobManager} that accepts driver and normal jobs and
 * plays each application's events from a {@link SimulationScript}, so that the control plane (its
 * store, event log, watchers, teardown) does all its real work while clusters cost next to nothing.
 * The control plane reaches these job managers through an in-process Dispatcher gateway
 * (`src/controlplane/service/simulatedDispatcherGateway.ts`). Simulated clusters end with the
 * process that simulates them: after a restart they count as lost.
 */
import { TASK_EXECUTOR_RESOURCE_DEFAULTS } from '../../taskexecutor/resourceDefaults.js';
import type {
  ClusterDeploymentRequest,
  ClusterHandle,
  DeployedClusterRecord,
  DeploymentProgress,
  DeploymentTarget,
  TaskExecutorDefaults,
} from '../DeploymentTarget.js';
import { SimulatedCluster, type SimulatedJobManagers } from './SimulatedCluster.js';
import { SimulatedJobManager } from './SimulatedJobManager.js';
import { compileSimulationScript, simulatedJobManagerAddress, type SimulationScript } from './SimulationScript.js';

/** Deploys simulated clusters and keeps their job managers. */
export class SimulatedDeploymentTarget implements DeploymentTarget, SimulatedJobManagers {
  readonly name = 'simulated';
  /** What a task executor would offer: the local defaults, so that clusters are sized as for `local`. */
  readonly taskExecutorDefaults: TaskExecutorDefaults = TASK_EXECUTOR_RESOURCE_DEFAULTS;
  /** What each cluster plays. */
  readonly script: SimulationScript;
  private readonly jobManagers = new Map<string, SimulatedJobManager>();

  constructor(script: Partial<SimulationScript> = {}) {
    this.script = compileSimulationScript(script);
  }

  /** How many simulated clusters are up. */
  get size(): number {
    return this.jobManagers.size;
  }

  async deploy(
    request: ClusterDeploymentRequest,
    progress: DeploymentProgress,
    signal: AbortSignal,
  ): Promise<ClusterHandle> {
    signal.throwIfAborted();
    const address = simulatedJobManagerAddress(request.clusterId);
    this.jobManagers.set(
      address,
      new SimulatedJobManager({ address, taskExecutors: request.taskExecutors, script: this.script }),
    );
    progress.onJobManagerListening(address);
    return new SimulatedCluster(request.clusterId, address, this);
  }

  attach(record: DeployedClusterRecord): ClusterHandle {
    return new SimulatedCluster(record.clusterId, record.jobmanagerAddress, this);
  }

  /** The job manager at `address`, while its cluster is up. */
  jobManager(address: string): SimulatedJobManager | undefined {
    return this.jobManagers.get(address);
  }

  forget(address: string): void {
    this.jobManagers.delete(address);
  }
}
