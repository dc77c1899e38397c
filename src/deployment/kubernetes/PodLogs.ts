/**
 * Reads a member's log: what its container wrote, through the API server (`pods/log`), as `kubectl
 * logs` does. Where the API server cannot reach the node's kubelet (the test cluster's kubelet
 * serves on loopback only) and the control plane runs on that node, the log is read from the
 * kubelet's own files instead (`<dir>/<namespace>_<pod>_<uid>/flotilla/0.log`, CRI format), when a
 * folder for them is given.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';

/** Reads the log of a pod's `flotilla` container. */
export class PodLogs {
  constructor(
    private readonly core: CoreV1Api,
    /** The kubelet's pod log folder on this machine (`/var/log/pods`), read when the API cannot serve a log; none when not given. */
    private readonly nodeLogDir?: string,
  ) {}

  /** The container's log so far; empty when there is none yet. */
  async read(pod: V1Pod): Promise<string> {
    const { name, namespace, uid } = pod.metadata!;
    try {
      return await this.core.readNamespacedPodLog({ name: name!, namespace: namespace!, container: 'flotilla' });
    } catch (error) {
      if (!this.nodeLogDir) throw error;
      const file = join(this.nodeLogDir, `${namespace}_${name}_${uid}`, 'flotilla', '0.log');
      const text = await readFile(file, 'utf8').catch(() => '');
      // CRI lines: "<time> <stream> <F|P> <text>"; P marks a line continued in the next entry.
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const match = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(line);
          return match ? (match[1] === 'F' ? `${match[2]}\n` : match[2]) : `${line}\n`;
        })
        .join('');
    }
  }
}
