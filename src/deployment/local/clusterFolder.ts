/**
 * The folders of local clusters, outside the control plane's state dir. Under the clusters' root
 * (the control plane's, mode 0711: others may pass through but not list it), each cluster has:
 *
 * - `<root>/<cluster id>/`, the control plane's (0711): the cluster's record and each process's
 *   `.out` and `.log` file (0600). The processes write their output through the file descriptors
 *   they were started with and cannot open, replace or link these files, so what the control plane
 *   later reads as root (logs, the record it attaches by) is what it wrote or was written to it.
 * - `<root>/<cluster id>/work/`, the cluster's (0700, owned by the cluster's user): its processes'
 *   working directory, HOME and TMPDIR, their state folders, the job manager's address file, and
 *   the cluster's TLS certificate and key.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FailedPreconditionError } from '../../common/errors.js';
import type { ClusterIdentity } from './clusterUsers.js';
import { othersCannot } from './othersAccess.js';

/** The name of the cluster's own folder in its folder. */
export const WORK_FOLDER = 'work';

/**
 * The clusters' root when none is configured: beside the state dir (`<state dir>-clusters`), on the
 * same disk, kept across restarts, and never inside the state dir, which cluster processes must not
 * be able to enter. When clusters run as users of their own and a folder above that place is closed
 * to them (root's home, 0700, holds the default `~/.flotilla`), the clusters' root goes to the temp
 * dir instead, under a name made of the state dir's path, so that the first command works for root
 * as for anyone; {@link ensureClustersRoot} refuses such a folder if someone else made it first.
 */
export function defaultClustersDir(stateDir: string, switchesUser = false): string {
  const beside = `${resolve(stateDir)}-clusters`;
  if (!switchesUser || othersCannot(beside, 'enter') === undefined) return beside;
  const name = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 12);
  return join(realpathSync(tmpdir()), `flotilla-clusters-${name}`);
}

/** The folders of one cluster. */
export interface ClusterFolders {
  /** The control plane's: record and output files. */
  folder: string;
  /** The cluster's: its processes' cwd and state. */
  work: string;
}

/**
 * Makes the clusters' root if missing (0711), and checks that it is a folder of this process that
 * nobody else may write: one another user made or may change could be used to make the control
 * plane write or read where that user chooses.
 */
export function ensureClustersRoot(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o711 });
  const stat = lstatSync(root);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0)
    throw new FailedPreconditionError(
      `the clusters' folder ${root} must be a folder of the control plane's user (uid ${uid}) that no one else may write (it is ${stat.isDirectory() ? `mode 0${(stat.mode & 0o777).toString(8)}, owner ${stat.uid}` : 'not a folder'}); remove it or choose another --cluster-dir`,
    );
  // Set, not only asked of mkdir: the control plane runs with umask 077, which would close it to the clusters' users.
  chmodSync(root, 0o711);
}

/**
 * Makes the folders of a new cluster, both this process's until {@link handOverWorkFolder}: what
 * the control plane writes into the work folder (the TLS files) is written before the cluster's
 * user could rename or replace anything in it.
 */
export function makeClusterFolders(root: string, clusterId: string): ClusterFolders {
  const folder = join(root, clusterId);
  const work = join(folder, WORK_FOLDER);
  mkdirSync(folder, { mode: 0o711 });
  chmodSync(folder, 0o711); // past the control plane's umask 077: the cluster's user passes through to work/
  mkdirSync(work, { mode: 0o700 });
  return { folder, work };
}

/** Gives the work folder to the cluster's user (nothing to do when it runs as this process's). */
export function handOverWorkFolder(folders: ClusterFolders, identity?: ClusterIdentity): void {
  if (identity) chownSync(folders.work, identity.uid, identity.gid);
}

/**
 * Removes the cluster's work folder. It is first moved into a folder only this process may enter,
 * so that the cluster's user (whose other clusters may still run) cannot swap a folder of it for a
 * link while it is being removed and have files elsewhere removed.
 */
export function removeWorkFolder(folder: string): void {
  const work = join(folder, WORK_FOLDER);
  if (!existsSync(work)) return;
  const trash = mkdtempSync(join(folder, 'removing-'));
  try {
    renameSync(work, join(trash, WORK_FOLDER));
  } finally {
    rmSync(trash, { recursive: true, force: true });
  }
}

/** Writes a new file (it must not exist) readable only by `identity` (this process's user when not given). */
export function writePrivateFile(file: string, text: string, identity?: ClusterIdentity): void {
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  if (identity) chownSync(file, identity.uid, identity.gid);
}

/** Makes a folder readable only by `identity` (this process's user when not given). */
export function makePrivateFolder(folder: string, identity?: ClusterIdentity): void {
  mkdirSync(folder, { mode: 0o700 });
  if (identity) chownSync(folder, identity.uid, identity.gid);
}
