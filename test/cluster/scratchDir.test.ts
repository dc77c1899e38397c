/**
 * A job manager or task executor started without `--state-dir` works in a private folder of its own
 * under the temp dir (mkdtemp: a new name, mode 0700) and removes it when it stops cleanly, so
 * clusters that come and go leave nothing behind.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatcherClient } from '../support/cluster.js';
import { startServer } from '../support/processes.js';

// The processes' temp dir (TMPDIR): a folder of this test's own, so that what they leave is visible.
const temp = mkdtempSync(join(tmpdir(), 'flotilla-scratch-dir-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const scratchFolders = (role: string) => readdirSync(temp).filter((name) => name.startsWith(`flotilla-${role}-`));

describe('scratch folder of a process started without --state-dir', () => {
  it('is private while the job manager and task executor run, and gone once they stopped on SIGTERM', async () => {
    const env = { TMPDIR: temp };
    const jobmanager = await startServer('jobmanager', [], env);
    const worker = await startServer('taskexecutor', ['--jobmanager', jobmanager.address], env);
    const dispatcher = dispatcherClient(jobmanager.address);
    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 15_000 })
      .toBe(1);

    for (const role of ['jobmanager', 'taskexecutor']) {
      const folders = scratchFolders(role);
      expect(folders).toHaveLength(1);
      expect(statSync(join(temp, folders[0]!)).mode & 0o777).toBe(0o700);
    }

    expect(await worker.stop()).toBe(0);
    expect(scratchFolders('taskexecutor')).toEqual([]);
    expect(await jobmanager.stop()).toBe(0);
    expect(scratchFolders('jobmanager')).toEqual([]);
  });
});
