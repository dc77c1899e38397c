/**
 * kube-scheduler and kube-controller-manager for the full tier, serving nothing themselves (the
 * tests talk to the API server only), without leader election. The controller manager runs every
 * controller (`--controllers=*`): the garbage collector that deletes what an ownerReference ties
 * to a deleted owner is one of them.
 */
import { join } from 'node:path';
import type { ClusterCredentials } from './credentials.js';
import { startDaemon, type Daemon } from './daemons.js';

/** Starts kube-scheduler with `kubeconfig`. */
export function startScheduler(binary: string, folder: string, kubeconfig: string): Daemon {
  return startDaemon(
    'kube-scheduler',
    binary,
    [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--port=0',
      '--secure-port=0',
      '--v=1',
    ],
    join(folder, 'kube-scheduler.log'),
  );
}

/** Starts kube-controller-manager with `kubeconfig`, signing service account tokens with the cluster's key. */
export function startControllerManager(
  binary: string,
  folder: string,
  kubeconfig: string,
  credentials: ClusterCredentials,
): Daemon {
  return startDaemon(
    'kube-controller-manager',
    binary,
    [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--controllers=*',
      '--bind-address=127.0.0.1',
      '--port=0',
      '--secure-port=0',
      `--service-account-private-key-file=${credentials.serviceAccountKeyFile}`,
      `--root-ca-file=${credentials.caFile}`,
      '--use-service-account-credentials=false',
      '--v=1',
    ],
    join(folder, 'kube-controller-manager.log'),
  );
}
