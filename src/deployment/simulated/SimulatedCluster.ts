/**
 * The handle of a simulated cluster: no process, only its job manager and members on the
 * {@link SimulatedPlatform} of the simulating process. Tearing it down shuts that job manager down
 * (its jobs are cancelled) and takes the cluster off the platform; a handle attached where the
 * platform has no such cluster (after a restart, which starts a new platform) finds only a job
 * manager that ended with the process that simulated it.
 */
import { NotFoundError } from '../../common/errors.js';
import type { ClusterHandle, ClusterMember, MemberStatus, ReadLogOptions } from '../DeploymentTarget.js';
import type { SimulatedPlatform } from './SimulatedPlatform.js';

/** Why a simulated cluster the platform does not have is gone. */
export const SIMULATED_CLUSTER_GONE = 'existed only in the memory of the control-plane process that simulated it';

const DEFAULT_LOG_TAIL_BYTES = 64 * 1024;

/** A simulated cluster. */
export class SimulatedCluster implements ClusterHandle {
  constructor(
    readonly clusterId: string,
    readonly reference: string,
    private readonly platform: SimulatedPlatform,
  ) {}

  async members(): Promise<MemberStatus[]> {
    const deployment = this.platform.find(this.reference);
    if (!deployment)
      return [
        { role: 'jobmanager', index: 0, name: 'jobmanager', phase: 'exited', exitReason: SIMULATED_CLUSTER_GONE },
      ];
    const stopReason = deployment.jobManager.stopReason;
    return deployment.members.map(({ role, index, name, phase, exitReason }) => {
      if (phase === 'exited') return { role, index, name, phase, exitReason };
      // A job manager shut down by a call (ShutDownCluster) ends its cluster, as a real one does.
      if (stopReason !== undefined)
        return { role, index, name, phase: 'exited', exitReason: `was shut down (${stopReason})` };
      return { role, index, name, phase };
    });
  }

  async readLog(member: ClusterMember, options: ReadLogOptions = {}): Promise<string> {
    const deployment = this.platform.find(this.reference);
    const found = deployment?.members.find((each) => each.role === member.role && each.index === member.index);
    if (!found) {
      if (!deployment && member.role === 'jobmanager' && member.index === 0) return '';
      throw new NotFoundError(`simulated cluster ${this.clusterId} has no ${member.role} ${member.index}`);
    }
    const text = found.log.map((line) => `${line}\n`).join('');
    const bytes = Buffer.from(text);
    const tailBytes = options.tailBytes ?? DEFAULT_LOG_TAIL_BYTES;
    if (bytes.length <= tailBytes) return text;
    // Whole lines only: the tail starts after the first line break past the cut.
    const tail = bytes.subarray(bytes.length - tailBytes).toString('utf8');
    return tail.slice(tail.indexOf('\n') + 1);
  }

  async tearDown(reason: string): Promise<void> {
    this.platform.find(this.reference)?.jobManager.shutDown(reason);
    this.platform.remove(this.reference, `was shut down (${reason})`);
  }

  async kill(): Promise<void> {
    await this.tearDown('killed');
  }
}
