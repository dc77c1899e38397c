import { afterAll, describe, expect, it } from 'vitest';
import { killSpawned, spawnNode } from './testing/spawnNode.js';
import { waitForListening } from './waitForListening.js';
import { waitForTaskExecutors } from './waitForTaskExecutors.js';

afterAll(killSpawned);

describe('starting cluster processes', () => {
  it('reads the address from the first stdout line in the output file', async () => {
    const process = spawnNode("process.stdout.write('listening on 127.0.0.1:4242\\n'); setInterval(() => {}, 1000);");
    await expect(waitForListening(process, 10_000, new AbortController().signal)).resolves.toBe('127.0.0.1:4242');
  });

  it('names a process that exits before listening, with the end of its log', async () => {
    const process = spawnNode(
      "console.error('first line'); console.error('cannot bind: EADDRINUSE'); process.exit(2);",
    );
    await expect(waitForListening(process, 10_000, new AbortController().signal)).rejects.toThrow(
      new RegExp(
        `jobmanager \\(pid ${process.pid}\\) exited with code 2 before it listened; the end of its log \\(.*\\):\\nfirst line\\ncannot bind: EADDRINUSE`,
      ),
    );
  });

  it('names a task executor that exits before it registered, with the end of its log', async () => {
    const jobManager = spawnNode('setInterval(() => {}, 1000);');
    const taskExecutor = spawnNode(
      "console.error('giving up: job manager unreachable'); process.exit(1);",
      'taskexecutor',
    );
    const admin = {
      overview: async () => ({ taskExecutors: 0, registered: [] }),
      shutDownCluster: async () => undefined,
      close: () => undefined,
    };
    await expect(
      waitForTaskExecutors(
        admin,
        jobManager,
        [{ process: taskExecutor, resourceId: 'c-taskexecutor-0' }],
        10_000,
        new AbortController().signal,
      ),
    ).rejects.toThrow(
      /taskexecutor-0 \(pid \d+\) exited with code 1 while the cluster was starting; the end of its log .*\ngiving up: job manager unreachable/,
    );
  });

  it('names the task executors that did not register in time', async () => {
    const jobManager = spawnNode('setInterval(() => {}, 1000);');
    const taskExecutor = spawnNode("console.error('still connecting'); setInterval(() => {}, 1000);", 'taskexecutor');
    const admin = {
      overview: async () => ({ taskExecutors: 0, registered: [] }),
      shutDownCluster: async () => undefined,
      close: () => undefined,
    };
    await expect(
      waitForTaskExecutors(
        admin,
        jobManager,
        [{ process: taskExecutor, resourceId: 'c-taskexecutor-0' }],
        300,
        new AbortController().signal,
      ),
    ).rejects.toThrow(
      /0 of 1 task executors registered within 300 ms; not registered: taskexecutor-0 \(pid \d+\), log .*:\nstill connecting/,
    );
  });
});
