/**
 * Task executors joining a job manager for real: registration, slot reports, heartbeat timeouts
 * when a task executor dies, and task executors that exit when their job manager is gone.
 */
import { once } from 'node:events';
import { createChannel, createClient } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { TaskExecutorServiceDefinition } from '../../generated/flotilla/v1/task_executor_service.js';
import { startServer } from '../support/processes.js';

function dispatcherOf(address: string) {
  return createClient(DispatcherServiceDefinition, createChannel(address));
}

describe('task executor registration', () => {
  it('registers task executors with their slots and drops one whose heartbeats stop', async () => {
    const jobmanager = await startServer('jobmanager', ['--heartbeat-interval', '200', '--heartbeat-timeout', '1500']);
    const first = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--slots',
      '2',
      '--cpus',
      '2',
      '--memory',
      '1024',
    ]);
    const second = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--slots',
      '2',
      '--cpus',
      '2',
      '--memory',
      '1024',
    ]);
    const dispatcher = dispatcherOf(jobmanager.address);

    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 10_000 })
      .toBe(2);
    const overview = await dispatcher.requestClusterOverview({});
    expect(overview).toMatchObject({ slotsTotal: 4, slotsAvailable: 4 });
    expect(overview.clusterId).toMatch(/^cluster-/);
    expect(overview.taskExecutorInfos.map((info) => info.address).sort()).toEqual(
      [first.address, second.address].sort(),
    );
    expect(overview.taskExecutorInfos.map((info) => info.pid).sort()).toEqual(
      [first.child.pid, second.child.pid].sort(),
    );
    expect(overview.taskExecutorInfos[0].slots[0].resources).toMatchObject({ cpus: 1, heapMemoryMb: 512 });

    await first.stop('SIGKILL');
    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 10_000 })
      .toBe(1);
    expect((await dispatcher.requestClusterOverview({})).slotsTotal).toBe(2);
    expect(jobmanager.stderr()).toContain('task executor lost');
    expect(jobmanager.stderr()).toMatch(/no heartbeat for \d+ ms \(heartbeat timeout 1500 ms\)/);

    await second.stop();
    await jobmanager.stop();
  });

  it('a task executor exits with a clear log line when its job manager has been unreachable past its timeout', async () => {
    const jobmanager = await startServer('jobmanager', ['--heartbeat-interval', '200', '--heartbeat-timeout', '2000']);
    const worker = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--jobmanager-timeout',
      '1500',
    ]);
    const dispatcher = dispatcherOf(jobmanager.address);
    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 10_000 })
      .toBe(1);

    const exited = once(worker.child, 'exit');
    const killedAt = Date.now();
    await jobmanager.stop('SIGKILL');
    const [code] = (await exited) as [number];
    expect(code).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(6000);
    expect(worker.stderr()).toMatch(
      new RegExp(`giving up: job manager at ${jobmanager.address} unreachable for \\d+ ms \\(timeout 1500 ms\\)`),
    );
  });

  it('a task executor allocates and frees slots, and exits 0 when asked to shut down', async () => {
    const jobmanager = await startServer('jobmanager');
    const worker = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--slots',
      '2',
      '--cpus',
      '2',
      '--memory',
      '2048',
    ]);
    const client = createClient(TaskExecutorServiceDefinition, createChannel(worker.address));

    const { slot } = await client.requestSlot({
      slotIndex: -1,
      jobId: 'job-1',
      allocationId: 'alloc-1',
      resources: { cpus: 1, heapMemoryMb: 512, directMemoryMb: 0, nativeMemoryMb: 0 },
    });
    expect(slot).toMatchObject({ slotIndex: 0, jobId: 'job-1', allocationId: 'alloc-1' });
    await expect(
      client.requestSlot({
        slotIndex: -1,
        jobId: 'job-1',
        allocationId: 'alloc-2',
        resources: { cpus: 4, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
      }),
    ).rejects.toMatchObject({ details: expect.stringContaining('no free slot offers 4 cpu') });
    await expect(
      client.requestSlot({ slotIndex: 0, jobId: 'job-2', allocationId: 'alloc-3', resources: undefined }),
    ).rejects.toMatchObject({ details: 'slot 0 is already allocated to job job-1' });
    await client.freeSlot({ allocationId: 'alloc-1', reason: 'test' });
    expect((await client.offerSlots({})).slots.every((offered) => offered.allocationId === '')).toBe(true);

    const exited = once(worker.child, 'exit');
    await client.shutDown({ reason: 'test is over' });
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    expect(worker.stderr()).toContain('test is over');
    await jobmanager.stop();
  });
});
