/**
 * Where simulated clusters "run": the memory of the process that simulates them, standing for the
 * machine or the Kubernetes cluster of a real target. It keeps each deployed cluster's job manager
 * and members (their liveness, exit reason and log lines) by the reference the target handed out,
 * so that a second {@link SimulatedDeploymentTarget} over the same platform attaches to them as a
 * restarted control plane attaches to processes or pods. The control plane makes one platform per
 * process, so after a restart its simulated clusters are gone, as they would be with a machine
 * that was switched off. Tests reach in to inject faults ({@link killMember}).
 */
import { memberName, type ClusterMember, type MemberPhase } from '../DeploymentTarget.js';
import type { SimulatedJobManager } from './SimulatedJobManager.js';

/** One member of a simulated cluster. */
export interface SimulatedMember extends ClusterMember {
  name: string;
  /** Simulated members run as soon as they are deployed, and exit for good. */
  phase: Extract<MemberPhase, 'running' | 'exited'>;
  exitReason?: string;
  /** Its log lines, oldest first. */
  log: string[];
}

/** A simulated cluster on the platform. */
export interface SimulatedDeployment {
  clusterId: string;
  reference: string;
  jobManager: SimulatedJobManager;
  /** The job manager first, then the task executors by index. */
  members: SimulatedMember[];
}

/** The simulated clusters of one process. */
export class SimulatedPlatform {
  private readonly byReference = new Map<string, SimulatedDeployment>();
  private readonly byAddress = new Map<string, SimulatedDeployment>();

  /** How many simulated clusters are up. */
  get size(): number {
    return this.byReference.size;
  }

  /** Places a cluster whose members all run. */
  add(
    clusterId: string,
    reference: string,
    jobManager: SimulatedJobManager,
    taskExecutors: number,
  ): SimulatedDeployment {
    const member = (role: ClusterMember['role'], index: number): SimulatedMember => {
      const name = memberName({ role, index });
      return { role, index, name, phase: 'running', log: [`${name} of simulated cluster ${clusterId} started`] };
    };
    const deployment: SimulatedDeployment = {
      clusterId,
      reference,
      jobManager,
      members: [
        member('jobmanager', 0),
        ...Array.from({ length: taskExecutors }, (_, index) => member('taskexecutor', index)),
      ],
    };
    this.byReference.set(reference, deployment);
    this.byAddress.set(jobManager.address, deployment);
    return deployment;
  }

  /** The cluster deployed under `reference`, while it is up. */
  find(reference: string): SimulatedDeployment | undefined {
    return this.byReference.get(reference);
  }

  /** The job manager at `address`, while its cluster is up and it was not killed. */
  jobManager(address: string): SimulatedJobManager | undefined {
    return this.byAddress.get(address)?.jobManager;
  }

  /** Ends every member of a cluster with `reason` and lets it go: the platform no longer has it. */
  remove(reference: string, reason: string): void {
    const deployment = this.byReference.get(reference);
    if (!deployment) return;
    for (const member of deployment.members) exit(member, reason);
    this.byReference.delete(reference);
    if (this.byAddress.get(deployment.jobManager.address) === deployment)
      this.byAddress.delete(deployment.jobManager.address);
  }

  /**
   * A fault: the member ends at once with `reason` (as `kill -9` ends a process or the kubelet an
   * OOM-killed pod). A killed job manager answers nothing more; its cluster stays on the platform,
   * with its members, until it is removed.
   */
  killMember(reference: string, member: ClusterMember, reason = 'was killed'): void {
    const deployment = this.byReference.get(reference);
    const found = deployment?.members.find((each) => each.role === member.role && each.index === member.index);
    if (!deployment || !found) return;
    exit(found, reason);
    if (member.role !== 'jobmanager') return;
    // Its scripts stop; nobody can reach it to see them any more.
    deployment.jobManager.shutDown(`its job manager ${reason}`);
    if (this.byAddress.get(deployment.jobManager.address) === deployment)
      this.byAddress.delete(deployment.jobManager.address);
  }
}

function exit(member: SimulatedMember, reason: string): void {
  if (member.phase === 'exited') return;
  member.phase = 'exited';
  member.exitReason = reason;
  member.log.push(`${member.name} ${reason}`);
}
