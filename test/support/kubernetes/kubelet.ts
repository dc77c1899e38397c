/**
 * The test cluster's one kubelet (node `flotilla-node`) on the tier's containerd: cgroupfs, no swap
 * check, no iptables utility chains, eviction thresholds low enough for a small CI disk, its root
 * folder in the tier's folder, serving on 127.0.0.1 only. It still sets the kernel tunables it
 * wants (see hostSettings.ts, which puts them back).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './daemons.js';
import { PAUSE_IMAGE } from './images.js';
import { freePort } from './ports.js';

/** The node's name. */
export const NODE_NAME = 'flotilla-node';

/** Starts the kubelet against the API server of `kubeconfig` and the containerd of `socket`. */
export async function startKubelet(
  binary: string,
  folder: string,
  kubeconfig: string,
  socket: string,
): Promise<Daemon> {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port: await freePort(),
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: await freePort(),
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: {} },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    makeIPTablesUtilChains: false,
    resolvConf: '',
    maxPods: 20,
    evictionHard: {
      'memory.available': '10Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '5s',
  };
  const configFile = join(folder, 'kubelet.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return startDaemon(
    'kubelet',
    binary,
    [
      `--config=${configFile}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${join(folder, 'kubelet')}`,
      `--cert-dir=${join(folder, 'kubelet-pki')}`,
      `--hostname-override=${NODE_NAME}`,
      '--container-runtime=remote',
      `--container-runtime-endpoint=unix://${socket}`,
      `--pod-infra-container-image=${PAUSE_IMAGE}`,
      '--v=1',
    ],
    join(folder, 'kubelet.log'),
  );
}
