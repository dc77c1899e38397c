/**
 * The deployment-target contract against the `kubernetes` target, on the full tier of the test
 * cluster (run `npm run build` first: the pods run an image built from this checkout's dist/): a
 * real API server, scheduler, controller manager and kubelet on containerd. A member is killed
 * from outside by deleting its pod at once, as a lost node or `kubectl delete pod --grace-period=0`
 * would; failing deployments name an image that does not exist, which the kubelet cannot pull.
 */
import pino from 'pino';
import { afterAll, beforeAll, vi } from 'vitest';
import { grpcDispatcherGateway } from '../../src/controlplane/service/grpcDispatcherGateway.js';
import type { ConnectJobManager } from '../../src/deployment/DeploymentTarget.js';
import { podName } from '../../src/deployment/kubernetes/clusterObjects.js';
import { namespaceOf } from '../../src/deployment/kubernetes/KubernetesCluster.js';
import { KubernetesDeploymentTarget } from '../../src/deployment/kubernetes/KubernetesDeploymentTarget.js';
import { startFullTier, type FullTier } from '../support/kubernetes/fullTier.js';
import { buildFlotillaImage } from '../support/kubernetes/images.js';
import { testKubernetesSettings } from '../support/kubernetes/testSettings.js';
import { describeDeploymentTargetContract } from './deploymentTarget.contract.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 });

let tier: FullTier;
beforeAll(async () => {
  tier = await startFullTier();
  tier.importImage(buildFlotillaImage(tier.folder));
});
afterAll(async () => tier?.stop(), 120_000);

describeDeploymentTargetContract('kubernetes', () => {
  const logger = pino({ level: 'silent' });
  const connect: ConnectJobManager = (address, clusterSecret) => grpcDispatcherGateway(address, { clusterSecret });
  const target = (image?: string) =>
    new KubernetesDeploymentTarget({
      kubeconfig: tier.kubeconfig,
      settings: testKubernetesSettings(image),
      connect,
      logger,
      nodeLogDir: '/var/log/pods',
    });
  return {
    target: () => target(),
    failingTarget: () => target('flotilla.local/no-such-image:0'),
    async killMember(handle, member) {
      const namespace = namespaceOf(handle.reference)!;
      await tier.client.call('DELETE', `/api/v1/namespaces/${namespace}/pods/${podName(handle.clusterId, member)}`, {
        gracePeriodSeconds: 0,
      });
    },
    timeoutMs: 60_000,
  };
});
