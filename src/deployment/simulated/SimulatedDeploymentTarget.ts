/**
 * The `simulated` deployment target: clusters that exist only in the control plane's memory, for
 * benchmarks and demos without processes. A deployment is instant and starts no process; the
 * cluster's job manager is a {@link SimulatedJobManager} that accepts driver and normal jobs and
 * plays each application's events from a {@link SimulationScript}, so that the control plane (its
 * store, event log, watchers, teardown) does all its real work while clusters cost next to nothing.
 * The control plane reaches these job managers through an in-process Dispatcher gateway
 * (`src/controlplane/service/simulatedDispatcherGateway.ts`). The clusters are kept on a
 * {@link SimulatedPlatform}, which stands for the machine: the control plane makes one per process,
 * so simulated clusters end with the process that simulates them and after a restart count as lost.
 */
import { TASK_EXECUTOR_RESOURCE_DEFAULTS } from '../../taskexecutor/resourceDefaults.js';
import { DeploymentError } from '../DeploymentError.js';
import type {
  ClusterDeploymentRequest,
  ClusterHandle,
  DeployedCluster,
  DeploymentProgress,
  DeploymentTarget,
  TaskExecutorDefaults,
} from '../DeploymentTarget.js';
import { SimulatedCluster } from './SimulatedCluster.js';
import { SimulatedJobManager } from './SimulatedJobManager.js';
import { SimulatedPlatform } from './SimulatedPlatform.js';
import { compileSimulationScript, simulatedJobManagerAddress, type SimulationScript } from './SimulationScript.js';

/** Options of {@link SimulatedDeploymentTarget} beyond the script. */
export interface SimulatedDeploymentOptions {
  /** Where its clusters are kept; a platform of its own unless given (two targets over one platform see the same clusters). */
  platform?: SimulatedPlatform;
  /** When set, every deployment fails: its first task executor exits at start with this reason (such as "exited with code 1"). */
  deployFailure?: string;
}

/** The reference of a simulated cluster's deployment. */
export function simulatedReference(clusterId: string): string {
  return `simulated:${clusterId}`;
}

/** Deploys simulated clusters and keeps their job managers. */
export class SimulatedDeploymentTarget implements DeploymentTarget {
  readonly name = 'simulated';
  /** What a task executor would offer: the local defaults, so that clusters are sized as for `local`. */
  readonly taskExecutorDefaults: TaskExecutorDefaults = TASK_EXECUTOR_RESOURCE_DEFAULTS;
  /** What each cluster plays. */
  readonly script: SimulationScript;
  /** Where its clusters are. */
  readonly platform: SimulatedPlatform;

  constructor(
    script: Partial<SimulationScript> = {},
    private readonly options: SimulatedDeploymentOptions = {},
  ) {
    this.script = compileSimulationScript(script);
    this.platform = options.platform ?? new SimulatedPlatform();
  }

  /** How many simulated clusters are up. */
  get size(): number {
    return this.platform.size;
  }

  async deploy(
    request: ClusterDeploymentRequest,
    progress: DeploymentProgress,
    signal: AbortSignal,
  ): Promise<ClusterHandle> {
    signal.throwIfAborted();
    const { clusterId } = request;
    const reference = simulatedReference(clusterId);
    await progress.onRecorded(reference);
    signal.throwIfAborted();
    const address = simulatedJobManagerAddress(clusterId);
    const jobManager = new SimulatedJobManager({ address, taskExecutors: request.taskExecutors, script: this.script });
    this.platform.add(clusterId, reference, jobManager, request.taskExecutors);
    const cluster = new SimulatedCluster(clusterId, reference, this.platform);
    try {
      const failure = this.options.deployFailure;
      if (failure !== undefined) {
        this.platform.killMember(reference, { role: 'taskexecutor', index: 0 }, failure);
        const log = await cluster.readLog({ role: 'taskexecutor', index: 0 });
        throw new DeploymentError(
          `taskexecutor-0 ${failure} while the cluster was starting; the end of its log:\n${log.trimEnd()}`,
        );
      }
      progress.onJobManagerListening(address);
      signal.throwIfAborted();
      return cluster;
    } catch (error) {
      await cluster.kill();
      throw error;
    }
  }

  attach(cluster: DeployedCluster): ClusterHandle {
    return new SimulatedCluster(
      cluster.clusterId,
      cluster.reference || simulatedReference(cluster.clusterId),
      this.platform,
    );
  }

  /** The job manager at `address`, while its cluster is up. */
  jobManager(address: string): SimulatedJobManager | undefined {
    return this.platform.jobManager(address);
  }
}
