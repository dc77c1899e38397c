/**
 * containerd for the test cluster's kubelet (Debian's containerd and runc): its root, state, socket
 * and CNI configuration in the tier's folder; the CRI plugin with restrict_oom_score_adj (the
 * machine's sandbox lacks CAP_SYS_RESOURCE), overlayfs and runc v2 with cgroupfs. Its shims outlive
 * it, so stopping it also kills the shims that serve its socket (found by their -address argument).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CNI_PLUGINS } from './cni.js';
import { startDaemon, waitFor, type Daemon } from './daemons.js';
import { PAUSE_IMAGE } from './images.js';

/** A running containerd. */
export interface Containerd {
  daemon: Daemon;
  socket: string;
  /** Runs `ctr` against this containerd in the k8s.io namespace. */
  ctr(...args: string[]): string;
  /** Imports a docker-save tarball for the kubelet's use. */
  importImage(tarball: string): void;
  /** Kills every task, then containerd, then the shims left serving its socket. */
  stop(): Promise<void>;
}

/** Starts containerd with everything under `folder`; `cniConfDir` holds the pod network's configuration. */
export async function startContainerd(
  binary: string,
  ctrBinary: string,
  folder: string,
  cniConfDir: string,
): Promise<Containerd> {
  const socket = join(folder, 'containerd.sock');
  const config = `version = 2
root = "${join(folder, 'containerd-root')}"
state = "${join(folder, 'containerd-state')}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "${socket}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(folder, 'containerd-opt')}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_PLUGINS}"
    conf_dir = "${cniConfDir}"
`;
  const configFile = join(folder, 'containerd.toml');
  writeFileSync(configFile, config);
  const daemon = startDaemon('containerd', binary, ['--config', configFile], join(folder, 'containerd.log'));
  const ctr = (...args: string[]) =>
    execFileSync(ctrBinary, ['--address', socket, '--namespace', 'k8s.io', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  await waitFor('containerd to answer', () => (ctr('version') ? true : undefined), 30_000, [daemon]);
  return {
    daemon,
    socket,
    ctr,
    importImage: (tarball) => void ctr('images', 'import', tarball),
    async stop() {
      if (daemon.running()) {
        for (const task of ctr('tasks', 'list', '--quiet').split('\n').filter(Boolean)) {
          try {
            ctr('tasks', 'kill', '--signal', 'SIGKILL', task);
          } catch {
            // already stopped
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const task of ctr('tasks', 'list', '--quiet').split('\n').filter(Boolean)) {
          try {
            ctr('tasks', 'delete', '--force', task);
          } catch {
            // gone meanwhile
          }
        }
      }
      await daemon.stop();
      for (const pid of shimsOf(socket)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    },
  };
}

/** The pids of containerd shims started for the containerd listening on `socket`. */
function shimsOf(socket: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (args[0].includes('containerd-shim') && args.includes(socket)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
