import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/tempDir.js';
import { isPidRunning } from './processLiveness.js';
import { LocalProcess } from './LocalProcess.js';
import { killProcesses, terminateProcesses } from './terminateProcesses.js';

const started: LocalProcess[] = [];
afterAll(() => {
  for (const process of started) process.signal('SIGKILL');
});

/** A detached node process running `script`, with its output in files. */
function spawnNode(script: string, index = 0): LocalProcess {
  const folder = tempDir();
  const process = LocalProcess.spawn({
    role: 'taskexecutor',
    index,
    command: globalThis.process.execPath,
    args: ['-e', script],
    stdoutFile: join(folder, 'out'),
    logFile: join(folder, 'log'),
    env: globalThis.process.env,
    cwd: folder,
  });
  started.push(process);
  return process;
}

const READY = "process.stdout.write('ready\\n');";
const waitReady = (process: LocalProcess) => expect.poll(() => readFileSync(process.info.stdoutFile, 'utf8')).toBe('ready\n');

describe('terminateProcesses', () => {
  it('stops processes that ignore SIGTERM with SIGKILL, and reaps them', async () => {
    const polite = spawnNode(`${READY} setInterval(() => {}, 1000);`);
    const stubborn = spawnNode(`process.on('SIGTERM', () => {}); ${READY} setInterval(() => {}, 1000);`, 1);
    await Promise.all([waitReady(polite), waitReady(stubborn)]);
    await terminateProcesses([polite, stubborn], { terminateAfterMs: 100, killAfterMs: 300, giveUpAfterMs: 1000 });
    expect(polite.exitDescription()).toBe('was killed by SIGTERM');
    expect(stubborn.exitDescription()).toBe('was killed by SIGKILL');
    // Reaped: the pids no longer answer kill(pid, 0), as a zombie would.
    expect(isPidRunning(polite.info.pid)).toBe(false);
    expect(isPidRunning(stubborn.info.pid)).toBe(false);
  });

  it('waits for processes that end on their own without signalling them', async () => {
    const quick = spawnNode('setTimeout(() => process.exit(3), 50);');
    await terminateProcesses([quick], { terminateAfterMs: 5000, killAfterMs: 6000, giveUpAfterMs: 7000 });
    expect(quick.exitDescription()).toBe('exited with code 3');
  });

  it('counts an adopted pid that is not a Flotilla process as ended (a recycled pid)', async () => {
    const child = spawnNode(`${READY} setInterval(() => {}, 1000);`);
    await waitReady(child);
    const adopted = LocalProcess.adopt({ ...child.info });
    // Adopted processes are recognised by their command line; this one is plain node.
    expect(adopted.running()).toBe(false);
    await killProcesses([child]);
    expect(child.running()).toBe(false);
  });
});
