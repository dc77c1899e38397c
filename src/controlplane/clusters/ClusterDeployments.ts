/**
 * Deploys recorded clusters through the deployment target: the target's reference to the deployment
 * is recorded before it starts any member, progress is reported (DEPLOYING notes with the task executors registered so far, then RUNNING), and a deployment that fails is recorded
 * FAILED with why, one that is aborted STOPPED; either way the target has stopped what it started.
 */
import { serializeError } from '../../common/status.js';
import type { Logger } from '../../common/logger.js';
import type { ClusterHandle, DeploymentTarget } from '../../deployment/DeploymentTarget.js';
import type { Cluster, ClusterSpec } from '../model/Cluster.js';
import type { ClusterLinks } from './ClusterLinks.js';
import type { ClusterRecorder } from './ClusterRecorder.js';
import { FencedWriteError } from '../store/FollowerLeaseStore.js';

/** What deployments need. */
export interface ClusterDeploymentsOptions {
  target: DeploymentTarget;
  recorder: ClusterRecorder;
  links: ClusterLinks;
  /** Called with a cluster that has just become RUNNING. */
  onRunning(cluster: Cluster): void;
  /** True once the control plane is shutting down: nothing more is recorded then. */
  closing(): boolean;
  /** Told how each deployment ended and how long it took. */
  onEnded?: DeploymentEnded;
  /** The lease time of clusters deployed for applications, in milliseconds; none when not given. */
  leaseTimeMs?: number;
  logger: Logger;
}

/** How a deployment ended: the cluster runs, the deployment failed, or it was stopped. */
export type DeploymentOutcome = 'running' | 'failed' | 'stopped';

/** How a deployment ended after how many seconds. */
export type DeploymentEnded = (outcome: DeploymentOutcome, seconds: number) => void;

interface Deployment {
  controller: AbortController;
  done: Promise<Cluster>;
}

/** The deployments under way. */
export class ClusterDeployments {
  private readonly running = new Map<string, Deployment>();

  constructor(private readonly options: ClusterDeploymentsOptions) {}

  /** Deploys a recorded cluster; resolves with it RUNNING, rejects when it failed or `signal` aborted it. */
  deploy(cluster: Cluster, signal: AbortSignal): Promise<Cluster> {
    const controller = new AbortController();
    const done = this.run(cluster, AbortSignal.any([signal, controller.signal]));
    this.running.set(cluster.id, { controller, done });
    return done.finally(() => this.running.delete(cluster.id));
  }

  /**
   * Stops the deployment of a cluster, if one is under way, and resolves once it has stopped what it
   * started. With a FencedWriteError as `reason` (another replica took the cluster's lease over), the
   * deployment records nothing more (the new follower records how it ended) and rejects with it.
   */
  async abort(clusterId: string, reason?: FencedWriteError): Promise<boolean> {
    const deployment = this.running.get(clusterId);
    if (!deployment) return false;
    deployment.controller.abort(reason);
    await deployment.done.catch(() => undefined);
    return true;
  }

  /** Stops every deployment under way (at shutdown); each stops what it started, and the next start records them FAILED. */
  close(): void {
    for (const deployment of this.running.values()) deployment.controller.abort();
  }

  private async run(cluster: Cluster, signal: AbortSignal): Promise<Cluster> {
    const { target, recorder, links } = this.options;
    const { taskExecutors, slotsPerTaskExecutor } = cluster.spec;
    const id = cluster.id;
    const started = performance.now();
    const ended = (outcome: DeploymentOutcome) => this.options.onEnded?.(outcome, (performance.now() - started) / 1000);
    await recorder.change(
      id,
      {},
      `deploying a job manager and ${taskExecutors} task executor(s) with ${slotsPerTaskExecutor} slot(s) each (${target.name})`,
    );
    // The target awaits onRecorded before it starts a member; the job manager's address is written
    // as it comes and awaited before the deployment counts as done either way.
    const recording: Promise<unknown>[] = [];
    const record = (write: Promise<unknown>) => {
      write.catch(() => undefined);
      recording.push(write);
    };
    // Once the target has started the cluster, a deployment that fails after all (a write refused
    // because another replica took the lease, a subject that ended) stops it here: nobody else will.
    let handle: ClusterHandle | undefined;
    // The target's reference, as it gives it: the lease's connection needs it (on Kubernetes, the name the cluster's certificate carries).
    let reference = cluster.deploymentReference;
    try {
      handle = await target.deploy(
        {
          clusterId: id,
          taskExecutors,
          slotsPerTaskExecutor,
          taskExecutorResources: this.sizing(cluster.spec),
          clusterSecret: cluster.clusterSecret || undefined,
          tenant: cluster.tenant,
          // A cluster deployed for an application ends itself when its control plane is gone for good; a shared one does not.
          leaseTimeMs: cluster.ownerApplicationId ? this.options.leaseTimeMs : undefined,
          properties: cluster.spec.properties,
        },
        {
          // At once, outside any shared transaction: a restart finds what the target started through it.
          onRecorded: (given) => {
            reference = given;
            return recorder.clusters.update(id, { deploymentReference: given });
          },
          // Under the lease's fence: a replica taking the cluster over waits, then stops every member recorded.
          startMembers: (start) => recorder.asFollower(id, start),
          onJobManagerListening: (address) => {
            // Renewed from now on, while the task executors register, so the lease never lapses under a live control plane.
            links.holdLease({ ...cluster, deploymentReference: reference, jobmanagerAddress: address });
            record(
              recorder.change(
                id,
                { jobmanagerAddress: address },
                `job manager listening on ${address}; waiting for ${taskExecutors} task executor(s) to register`,
              ),
            );
          },
          // Each count recorded as it grows, so a watcher sees how far the deployment has come.
          onTaskExecutorsRegistered: (registered) =>
            record(
              recorder.change(
                id,
                { registeredTaskExecutors: registered },
                `${registered} of ${taskExecutors} task executors registered; waiting for the others`,
              ),
            ),
          // A pod scheduled, running, or unable to start: a note on the cluster, which its application's watchers see.
          onMemberEvent: (message) => record(recorder.change(id, {}, message)),
        },
        signal,
      );
      links.keep(id, handle);
      await Promise.all(recording);
      await recorder.change(
        id,
        { status: 'RUNNING', registeredTaskExecutors: taskExecutors },
        `${taskExecutors} of ${taskExecutors} task executors registered`,
      );
      ended('running');
      const running = await recorder.get(id);
      this.options.onRunning(running);
      return running;
    } catch (error) {
      // Nothing of it runs any more: no lease to renew, no connection to keep.
      links.forget(id);
      await Promise.allSettled(recording);
      await handle
        ?.kill()
        .catch((killError: unknown) =>
          this.options.logger.error(
            { err: killError, clusterId: id },
            'processes of a failed deployment survived SIGKILL',
          ),
        );
      if (this.options.closing()) throw error;
      if (signal.reason instanceof FencedWriteError) throw signal.reason;
      ended(signal.aborted ? 'stopped' : 'failed');
      if (signal.aborted) {
        await recorder.change(
          id,
          { status: 'STOPPED', endTime: new Date() },
          'deployment cancelled; every process it started was stopped',
        );
      } else {
        await recorder.change(
          id,
          { status: 'FAILED', endTime: new Date(), failure: serializeError(error) },
          `deployment failed: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  }

  /** What each task executor offers: as the spec says, the target's default where it says nothing. */
  private sizing(spec: ClusterSpec): { cpus: number; memoryMb: number } | undefined {
    const resources = spec.taskExecutorResources;
    if (!resources) return undefined;
    const defaults = this.options.target.taskExecutorDefaults;
    const memoryMb = Math.max(resources.heapMemoryMb, resources.directMemoryMb, resources.nativeMemoryMb);
    return { cpus: resources.cpus || defaults.cpus, memoryMb: memoryMb || defaults.memoryMb };
  }
}
