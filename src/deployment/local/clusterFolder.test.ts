import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { ensureClustersRoot, makeClusterFolders, removeWorkFolder, WORK_FOLDER } from './clusterFolder.js';

describe('cluster folders', () => {
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
