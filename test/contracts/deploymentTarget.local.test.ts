/**
 * The deployment-target contract against the `local` target, on real processes (run `npm run build`
 * first: the clusters run bin/flotilla.js): a job manager and task executors started detached under
 * a temporary clusters folder, reached over gRPC as the control plane reaches them. A member is
 * killed from outside with SIGKILL to its process group, found through the target's own record;
 * failing deployments give every process a Node option it refuses.
 */
import pino from 'pino';
import { grpcDispatcherGateway } from '../../src/controlplane/service/grpcDispatcherGateway.js';
import type { ConnectJobManager } from '../../src/deployment/DeploymentTarget.js';
import { readLocalClusterRecord } from '../../src/deployment/local/LocalClusterRecord.js';
import { LocalDeploymentTarget } from '../../src/deployment/local/LocalDeploymentTarget.js';
import { tempDir } from '../support/tempDir.js';
import { describeDeploymentTargetContract } from './deploymentTarget.contract.js';

describeDeploymentTargetContract('local', () => {
  const clustersDir = tempDir();
  const logger = pino({ level: 'silent' });
  const connect: ConnectJobManager = (address, clusterSecret) => grpcDispatcherGateway(address, { clusterSecret });
  return {
    target: () => new LocalDeploymentTarget({ clustersDir, connect, logger }),
    failingTarget: () =>
      new LocalDeploymentTarget({ clustersDir, connect, logger, nodeArgs: ['--no-such-node-option'] }),
    killMember(handle, member) {
      const recorded = readLocalClusterRecord(handle.reference)?.members.find(
        (each) => each.role === member.role && each.index === member.index,
      );
      if (!recorded) throw new Error(`no ${member.role} ${member.index} in the record at ${handle.reference}`);
      process.kill(-recorded.pid, 'SIGKILL');
    },
    timeoutMs: 30_000,
  };
});
