import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceExhaustedError } from '../common/errors.js';
import { ResourceManager } from './ResourceManager.js';
import type { SlotStatus } from '../runtime/SlotStatus.js';
import type { TaskExecutorGateway } from '../runtime/TaskExecutorGateway.js';

const profile = (cpus: number, heapMemoryMb = 0) => ({ cpus, heapMemoryMb, directMemoryMb: 0, nativeMemoryMb: 0 });
const slots = (count: number, cpus: number): SlotStatus[] =>
  Array.from({ length: count }, (_, slotIndex) => ({
    slotIndex,
    resources: profile(cpus, 512),
    allocationId: '',
    jobId: '',
  }));

/** A task executor that accepts every slot request and records frees. */
function acceptingGateway(freed: string[] = []): TaskExecutorGateway {
  return {
    requestSlot: async (request) => ({
      slotIndex: request.slotIndex,
      resources: request.resources,
      allocationId: request.allocationId,
      jobId: request.jobId,
    }),
    freeSlot: async (allocationId) => void freed.push(allocationId),
    submitTask: async () => undefined,
    cancelTask: async () => undefined,
    triggerCheckpoint: async () => false,
    confirmCheckpoint: async () => undefined,
    shutDown: async () => undefined,
    close: () => undefined,
  };
}

const managers: ResourceManager[] = [];
function newManager(overrides: Partial<ConstructorParameters<typeof ResourceManager>[0]> = {}) {
  const manager = new ResourceManager({
    clusterId: 'cluster-test',
    heartbeatIntervalMs: 50,
    heartbeatTimeoutMs: 300,
    slotRequestTimeoutMs: 300,
    connect: () => acceptingGateway(),
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  managers.push(manager);
  return manager;
}
afterEach(() => managers.splice(0).forEach((manager) => manager.close()));

describe('ResourceManager', () => {
  it('gives each request a distinct free slot that fits, spreading over task executors', async () => {
    const manager = newManager();
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(2, 1), pid: 1, hostname: 'h' });
    manager.register({ taskExecutorId: 'te-2', address: 'a:2', slots: slots(2, 1), pid: 2, hostname: 'h' });
    const assignments = await Promise.all([1, 2, 3].map(() => manager.requestSlot('job-1', profile(1))));
    expect(new Set(assignments.map((a) => `${a.taskExecutorId}/${a.slotIndex}`)).size).toBe(3);
    expect(new Set(assignments.map((a) => a.taskExecutorId))).toEqual(new Set(['te-1', 'te-2']));
    expect(manager.slotCounts()).toEqual({ total: 4, available: 1 });
  });

  it('refuses a request nothing fits with RESOURCE_EXHAUSTED after the timeout, naming the profile', async () => {
    // A heartbeat timeout equal to the request timeout would race it (the task executor lost first).
    const manager = newManager({ heartbeatTimeoutMs: 10_000 });
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(1, 1), pid: 1, hostname: 'h' });
    const request = manager.requestSlot('job-1', profile(4));
    await expect(request).rejects.toThrow(ResourceExhaustedError);
    await expect(request).rejects.toThrow(/no slot with 4 cpu became free within 300 ms \(1 of 1 slots free\)/);
  });

  it('serves a waiting request when a slot is freed or a task executor joins', async () => {
    const manager = newManager({ slotRequestTimeoutMs: 5000 });
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(1, 1), pid: 1, hostname: 'h' });
    const first = await manager.requestSlot('job-1', profile(1));
    const waiting = manager.requestSlot('job-2', profile(1));
    await manager.freeSlot(first, 'done');
    expect((await waiting).jobId).toBe('job-2');
    const joining = manager.requestSlot('job-3', profile(1));
    manager.register({ taskExecutorId: 'te-2', address: 'a:2', slots: slots(1, 1), pid: 2, hostname: 'h' });
    expect((await joining).taskExecutorId).toBe('te-2');
  });

  it('retries a slot a task executor refused, and still times out cleanly when every one refuses', async () => {
    let refusals = 0;
    const manager = newManager({
      heartbeatTimeoutMs: 10_000,
      connect: () => ({
        ...acceptingGateway(),
        requestSlot: async () => {
          refusals++;
          throw new Error('slot taken by someone else');
        },
      }),
    });
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(1, 1), pid: 1, hostname: 'h' });
    await expect(manager.requestSlot('job-1', profile(1))).rejects.toThrow(ResourceExhaustedError);
    expect(refusals).toBeGreaterThan(1);
    expect(manager.slotCounts()).toEqual({ total: 1, available: 1 });
  });

  it('declares a task executor lost when its heartbeats stop, and forgets its slots', async () => {
    const manager = newManager();
    const lost: string[] = [];
    manager.on('taskExecutorLost', (id: string, reason: string) => lost.push(`${id}: ${reason}`));
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(2, 1), pid: 1, hostname: 'h' });
    await expect.poll(() => lost.length, { timeout: 2000 }).toBe(1);
    expect(lost[0]).toMatch(/^te-1: no heartbeat for \d+ ms \(heartbeat timeout 300 ms\)$/);
    expect(manager.slotCounts()).toEqual({ total: 0, available: 0 });
    expect(manager.heartbeat('te-1', [])).toBe(false);
  });

  it('frees on a lost task executor that registers again the allocations it still holds, and keeps those it was given', async () => {
    const freed: string[] = [];
    const manager = newManager({ heartbeatTimeoutMs: 10_000, connect: () => acceptingGateway(freed) });
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: slots(2, 1), pid: 1, hostname: 'h' });
    const lostWith = await manager.requestSlot('job-1', profile(1));
    manager.lose('te-1', 'hung');
    // It comes back (it only hung) still holding the allocation its job has forgotten.
    const held = slots(2, 1).map((slot) =>
      slot.slotIndex === lostWith.slotIndex ? { ...slot, allocationId: lostWith.allocationId, jobId: 'job-1' } : slot,
    );
    manager.register({ taskExecutorId: 'te-1', address: 'a:1', slots: held, pid: 1, hostname: 'h' });
    expect(freed).toEqual([lostWith.allocationId]);
    expect(manager.slotCounts()).toEqual({ total: 2, available: 2 });
    // An allocation given out since is kept whatever a heartbeat reports.
    const current = await manager.requestSlot('job-2', profile(1));
    const reported = slots(2, 1).map((slot) =>
      slot.slotIndex === current.slotIndex ? { ...slot, allocationId: current.allocationId, jobId: 'job-2' } : slot,
    );
    expect(manager.heartbeat('te-1', reported)).toBe(true);
    expect(freed).toEqual([lostWith.allocationId]);
    expect(manager.slotCounts()).toEqual({ total: 2, available: 1 });
  });

  it('refuses slot requests at once after it was closed', async () => {
    const manager = newManager({ slotRequestTimeoutMs: 60_000 });
    const waiting = manager.requestSlot('job-1', profile(1));
    manager.close();
    await expect(waiting).rejects.toThrow('the resource manager is shutting down');
    await expect(manager.requestSlot('job-2', profile(1))).rejects.toThrow(ResourceExhaustedError);
  });
});
