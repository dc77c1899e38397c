import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from './LocalProcess.js';

const folder = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
const started: LocalProcess[] = [];
afterAll(() => {
  for (const process of started) process.signal('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

/** A process whose command line names flotilla, as a cluster member's does, printing `ready` once it runs. */
function flotillaLike(index: number): LocalProcess {
  const process = LocalProcess.spawn({
    member: { role: 'taskexecutor', index },
    folder,
    command: globalThis.process.execPath,
    args: [
      '-e',
      "process.stdout.write('ready\\n'); console.error('a log line'); setInterval(() => {}, 1000);",
      'flotilla',
    ],
    env: globalThis.process.env,
    cwd: folder,
  });
  started.push(process);
  return process;
}

describe('LocalProcess', () => {
  it('records its member, pid, start time and files, and reports itself running, then exited with how', async () => {
    const process = flotillaLike(0);
    expect(process.record).toMatchObject({
      role: 'taskexecutor',
      index: 0,
      name: 'taskexecutor-0',
      stdoutFile: 'taskexecutor-0.out',
      logFile: 'taskexecutor-0.log',
    });
    expect(process.record.startTime).toMatch(/^\d+$/);
    await expect.poll(() => readFileSync(process.stdoutPath, 'utf8')).toBe('ready\n');
    expect(process.status()).toEqual({ role: 'taskexecutor', index: 0, name: 'taskexecutor-0', phase: 'running' });
    await expect.poll(() => process.readLog(1024)).toBe('a log line\n');
    expect(process.readLog(5)).toBe('line\n');
    process.signal('SIGKILL');
    await process.waitForExit(5000);
    expect(process.status()).toMatchObject({ phase: 'exited', exitReason: 'was killed by SIGKILL' });
  });

  it('adopts a recorded process by pid and start time, and counts one whose start time differs as ended (a recycled pid)', async () => {
    const process = flotillaLike(1);
    await expect.poll(() => readFileSync(process.stdoutPath, 'utf8')).toBe('ready\n');
    const adopted = LocalProcess.adopt({ ...process.record }, folder);
    expect(adopted.running()).toBe(true);
    expect(adopted.status().phase).toBe('running');
    const recycled = LocalProcess.adopt({ ...process.record, startTime: '1' }, folder);
    expect(recycled.running()).toBe(false);
    expect(recycled.status()).toMatchObject({ phase: 'exited', exitReason: 'is no longer running' });
    process.signal('SIGKILL');
    await expect.poll(() => adopted.running()).toBe(false);
    expect(adopted.status()).toMatchObject({ phase: 'exited', exitReason: 'is no longer running' });
  });
});
