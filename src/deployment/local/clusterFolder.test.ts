import { chmodSync, existsSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import {
  defaultClustersDir,
  ensureClustersRoot,
  makeClusterFolders,
  removeWorkFolder,
  WORK_FOLDER,
} from './clusterFolder.js';

describe('cluster folders', () => {
  it('sit beside the state dir, or in the temp dir when users of their own could not pass a folder above it', () => {
    const open = tempDir();
    chmodSync(open, 0o755);
    expect(defaultClustersDir(join(open, 'state'), true)).toBe(`${join(open, 'state')}-clusters`);
    const closed = tempDir();
    chmodSync(closed, 0o700);
    expect(defaultClustersDir(join(closed, 'state'), false)).toBe(`${join(closed, 'state')}-clusters`);
    const moved = defaultClustersDir(join(closed, 'state'), true);
    expect(moved).toMatch(/\/flotilla-clusters-[0-9a-f]{12}$/);
    expect(moved.startsWith(realpathSync(tmpdir()))).toBe(true);
    expect(defaultClustersDir(join(closed, 'state'), true)).toBe(moved);
    expect(defaultClustersDir(join(open, 'state'), true)).not.toBe(moved);
  });

  it("make the clusters' root and a cluster's folder 0711 under the control plane's umask 077", () => {
    const mask = process.umask(0o077);
    try {
      const root = join(tempDir(), 'clusters');
      ensureClustersRoot(root);
      expect(statSync(root).mode & 0o777).toBe(0o711);
      expect(statSync(makeClusterFolders(root, 'cluster-1').folder).mode & 0o777).toBe(0o711);
    } finally {
      process.umask(mask);
    }
  });

  it("make the clusters' root 0711 and refuse one others may write", () => {
    const root = join(tempDir(), 'clusters');
    ensureClustersRoot(root);
    expect(statSync(root).mode & 0o777).toBe(0o711);
    chmodSync(root, 0o773);
    expect(() => ensureClustersRoot(root)).toThrow(
      `the clusters' folder ${root} must be a folder of the control plane's user (uid ${process.getuid!()}) that no one else may write (it is mode 0773`,
    );
  });

  it("give each cluster a folder of the control plane's and a private work folder, removed whole at the end", () => {
    const root = join(tempDir(), 'clusters');
    ensureClustersRoot(root);
    const { folder, work } = makeClusterFolders(root, 'cluster-1');
    expect(statSync(folder).mode & 0o777).toBe(0o711);
    expect(statSync(work).mode & 0o777).toBe(0o700);
    expect(() => makeClusterFolders(root, 'cluster-1')).toThrow(/EEXIST/);
    writeFileSync(join(folder, 'jobmanager.log'), 'kept');
    writeFileSync(join(work, 'state'), 'removed');
    removeWorkFolder(folder);
    expect(readdirSync(folder)).toEqual(['jobmanager.log']);
    removeWorkFolder(folder);
    expect(existsSync(join(folder, WORK_FOLDER))).toBe(false);
  });
});
