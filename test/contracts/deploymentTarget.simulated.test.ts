/**
 * The deployment-target contract against the `simulated` target: clusters on one in-memory
 * platform that every target instance of the test shares, as target instances of a real one share
 * a machine. A member is killed through the platform; failing deployments are the target's own
 * `deployFailure`.
 */
import { SimulatedDeploymentTarget } from '../../src/deployment/simulated/SimulatedDeploymentTarget.js';
import { SimulatedPlatform } from '../../src/deployment/simulated/SimulatedPlatform.js';
import { describeDeploymentTargetContract } from './deploymentTarget.contract.js';

describeDeploymentTargetContract('simulated', () => {
  const platform = new SimulatedPlatform();
  return {
    target: () => new SimulatedDeploymentTarget({ eventIntervalMs: 0 }, { platform }),
    failingTarget: () =>
      new SimulatedDeploymentTarget({ eventIntervalMs: 0 }, { platform, deployFailure: 'exited with code 1' }),
    killMember: (handle, member) => platform.killMember(handle.reference, member, 'was killed by SIGKILL'),
    timeoutMs: 5_000,
  };
});
