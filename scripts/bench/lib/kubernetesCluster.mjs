// The Kubernetes test cluster for `npm run bench -- --kubernetes` (figure 2 on Kubernetes, issue 19
// part 9): the project's own scripts/k8s/cluster.mjs, the full tier (etcd, kube-apiserver,
// kube-scheduler, kube-controller-manager, containerd with a CNI bridge, one kubelet), started as a
// child in a process group of its own, with Flotilla's image built from this checkout's dist/ by
// scripts/k8s/image.mjs and imported into the node's containerd. Stopping sends it SIGTERM, which
// deletes every pod, stops its daemons by pid and puts the host's settings back; an interrupted
// benchmark stops it the same way.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './paths.mjs';
import { runChecked } from './processes.mjs';

/** The image's reference: pods run it with imagePullPolicy Never (no registry is reachable). */
export const BENCH_IMAGE = 'flotilla.local/flotilla:bench';
/** The service account the test cluster gives the job managers (test/support/kubernetes/jobManagerRole.ts). */
const JOB_MANAGER_SERVICE_ACCOUNT = 'flotilla-jobmanager';

let script;
/** Stops the cluster if one runs (SIGINT/SIGTERM of the benchmark). */
export function stopKubernetesClusterNow() {
  if (script && script.exitCode === null) process.kill(-script.pid, 'SIGTERM');
}

/**
 * Starts the full tier and imports the image; resolves with the kubeconfig, the flags of a control
 * plane deploying to it, and stop().
 */
export async function startKubernetesCluster(log) {
  log('starting the Kubernetes test cluster (scripts/k8s/cluster.mjs, full tier)');
  script = spawn(process.execPath, [join(ROOT, 'scripts/k8s/cluster.mjs'), '--tier', 'full'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const child = script;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-8000)));
  let stdout = '';
  const kubeconfig = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
      const match = /^kubeconfig: (\S+)$/m.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`scripts/k8s/cluster.mjs exited with ${code}:\n${stderr}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(-child.pid, 'SIGTERM');
    const [code] = await exited;
    if (code !== 0) throw new Error(`scripts/k8s/cluster.mjs stopped with ${code}:\n${stderr}`);
  };
  try {
    const tarball = join(dirname(kubeconfig), 'flotilla-bench.tar');
    await runChecked(process.execPath, [
      join(ROOT, 'scripts/k8s/image.mjs'),
      '--tag',
      BENCH_IMAGE,
      '--out',
      tarball,
      '--import',
      '--containerd-socket',
      join(dirname(kubeconfig), 'containerd.sock'),
    ]);
    rmSync(tarball, { force: true });
  } catch (error) {
    await stop();
    throw error;
  }
  log(`Kubernetes test cluster ready: ${kubeconfig}`);
  return {
    kubeconfig,
    /** The control plane's flags: the test cluster, the bench image, small requests so that clusters fit the one node. */
    controlPlaneArgs: [
      '--deployment-target',
      'kubernetes',
      '--kubernetes-config',
      kubeconfig,
      '--kubernetes-image',
      BENCH_IMAGE,
      '--kubernetes-image-pull-policy',
      'Never',
      '--kubernetes-service-account',
      JOB_MANAGER_SERVICE_ACCOUNT,
      '--kubernetes-jobmanager-cpu',
      '0.1',
      '--kubernetes-jobmanager-memory',
      '384',
      '--kubernetes-taskexecutor-cpu',
      '0.2',
      '--kubernetes-taskexecutor-memory',
      '1024',
      '--kubernetes-cpu-limit-factor',
      '10',
      '--kubernetes-node-log-dir',
      '/var/log/pods',
    ],
    stop,
  };
}
