/**
 * Task executors started together with their job manager (as the local deployment target starts
 * them): each waits for the address file the job manager writes once it listens, registers as soon
 * as it is there, and exits with a clear log line when it never comes.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatcherClient } from '../support/cluster.js';
import { runCli, startServer } from '../support/processes.js';

const folder = mkdtempSync(join(tmpdir(), 'flotilla-address-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('job manager address file', () => {
  it('a task executor started before its job manager listens registers once the job manager has written its address', async () => {
    const file = join(folder, 'jobmanager.address');
    // It listens (and says so) before there is any job manager to join.
    const worker = await startServer('taskexecutor', ['--jobmanager-address-file', file, '--slots', '3']);
    const jobmanager = await startServer('jobmanager', ['--address-file', file]);
    expect(readFileSync(file, 'utf8')).toBe(`${jobmanager.address}\n`);

    const dispatcher = dispatcherClient(jobmanager.address);
    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 15_000 })
      .toBe(1);
    const overview = await dispatcher.requestClusterOverview({});
    expect(overview.slotsTotal).toBe(3);
    expect(overview.taskExecutorInfos.map((info) => info.address)).toEqual([worker.address]);

    expect(await worker.stop()).toBe(0);
    expect(await jobmanager.stop()).toBe(0);
  });

  it('a task executor whose address file never appears exits 1 and says which file it waited for', async () => {
    const file = join(folder, 'never-written.address');
    const worker = await startServer('taskexecutor', [
      '--jobmanager-address-file',
      file,
      '--jobmanager-timeout',
      '1000',
    ]);
    const [code] = (await once(worker.child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(worker.stderr()).toContain(
      `giving up: cannot learn the job manager's address from the address file ${file}: no job manager address in ${file} after 1000 ms`,
    );
  });

  it('refuses --jobmanager together with --jobmanager-address-file, and neither', async () => {
    const both = await runCli([
      'taskexecutor',
      '--jobmanager',
      '127.0.0.1:1',
      '--jobmanager-address-file',
      join(folder, 'x'),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --jobmanager or --jobmanager-address-file, not both');
    const neither = await runCli(['taskexecutor']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--jobmanager HOST:PORT (or --jobmanager-address-file FILE) is required');
  });
});
