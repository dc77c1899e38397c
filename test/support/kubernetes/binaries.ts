/**
 * The programs the test cluster runs: the Kubernetes binaries and the pause binary that
 * scripts/k8s/build.sh built from Debian's source package into its cache, and the Debian
 * packages' etcd, containerd and runc. The tests never build (they run under the lock the build
 * takes): when something is missing they fail and say what to run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../processes.js';

/** Absolute paths of the test cluster's programs. */
export interface KubernetesBinaries {
  apiServer: string;
  scheduler: string;
  controllerManager: string;
  kubelet: string;
  /** The static pause binary of the pod sandbox image. */
  pause: string;
  etcd: string;
  containerd: string;
  ctr: string;
}

/** The Debian packages the test cluster needs (scripts/install-test-deps.sh installs them). */
export const KUBERNETES_DEBIAN_PACKAGES = [
  'etcd-server',
  'containerd',
  'runc',
  'containernetworking-plugins',
  'iptables',
  'iproute2',
];

let found: KubernetesBinaries | undefined;

/** Finds the programs, or throws a message that says what to install or run. */
export function kubernetesBinaries(): KubernetesBinaries {
  if (found) return found;
  const probe = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Status}\\n', ...KUBERNETES_DEBIAN_PACKAGES], {
    encoding: 'utf8',
  });
  const installed = new Set(
    probe.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  const missing = KUBERNETES_DEBIAN_PACKAGES.filter((name) => !installed.has(name));
  if (missing.length)
    throw new Error(
      `the Kubernetes test cluster needs the Debian packages ${missing.join(' ')}: run bash scripts/install-test-deps.sh --debian-only`,
    );
  const build = spawnSync('bash', [join(ROOT, 'scripts/k8s/build.sh'), '--cached-only'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the Kubernetes binaries are not built:\n${build.stderr}`);
  const cache = build.stdout.trim().split('\n').pop()!;
  const bin = (name: string) => join(cache, 'bin', name);
  found = {
    apiServer: bin('kube-apiserver'),
    scheduler: bin('kube-scheduler'),
    controllerManager: bin('kube-controller-manager'),
    kubelet: bin('kubelet'),
    pause: bin('pause'),
    etcd: '/usr/bin/etcd',
    containerd: '/usr/bin/containerd',
    ctr: '/usr/bin/ctr',
  };
  return found;
}
