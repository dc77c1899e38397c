import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPidRunning } from './processLiveness.js';
import { LocalProcess } from './LocalProcess.js';
import { killSpawned, spawnNode } from './testing/spawnNode.js';
import { killProcesses, terminateProcesses } from './terminateProcesses.js';

afterAll(killSpawned);

const READY = "process.stdout.write('ready\\n');";
const waitReady = (process: LocalProcess) =>
  expect.poll(() => readFileSync(process.stdoutPath, 'utf8')).toBe('ready\n');

describe('terminateProcesses', () => {
  it('stops processes that ignore SIGTERM with SIGKILL, and reaps them', async () => {
    const polite = spawnNode(`${READY} setInterval(() => {}, 1000);`, 'taskexecutor');
    const stubborn = spawnNode(
      `process.on('SIGTERM', () => {}); ${READY} setInterval(() => {}, 1000);`,
      'taskexecutor',
      1,
    );
    await Promise.all([waitReady(polite), waitReady(stubborn)]);
    await terminateProcesses([polite, stubborn], { terminateAfterMs: 100, killAfterMs: 300, giveUpAfterMs: 1000 });
    expect(polite.exitDescription()).toBe('was killed by SIGTERM');
    expect(stubborn.exitDescription()).toBe('was killed by SIGKILL');
    // Reaped: the pids no longer answer kill(pid, 0), as a zombie would.
    expect(isPidRunning(polite.pid)).toBe(false);
    expect(isPidRunning(stubborn.pid)).toBe(false);
  });

  it('waits for processes that end on their own without signalling them', async () => {
    const quick = spawnNode('setTimeout(() => process.exit(3), 50);', 'taskexecutor');
    await terminateProcesses([quick], { terminateAfterMs: 5000, killAfterMs: 6000, giveUpAfterMs: 7000 });
    expect(quick.exitDescription()).toBe('exited with code 3');
  });

  it('counts an adopted pid that is not a Flotilla process as ended (a recycled pid)', async () => {
    const child = spawnNode(`${READY} setInterval(() => {}, 1000);`, 'taskexecutor');
    await waitReady(child);
    const adopted = LocalProcess.adopt({ ...child.record }, dirname(child.stdoutPath));
    // Adopted processes are recognised by their command line; this one is plain node.
    expect(adopted.running()).toBe(false);
    await killProcesses([child]);
    expect(child.running()).toBe(false);
  });
});
