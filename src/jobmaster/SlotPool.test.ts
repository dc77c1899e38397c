import { describe, expect, it } from 'vitest';
import { ResourceExhaustedError } from '../common/errors.js';
import type { SlotAssignment } from '../resourcemanager/ResourceManager.js';
import { ANY_RESOURCES } from '../runtime/SlotStatus.js';
import { SlotPool } from './SlotPool.js';

/** A provider whose requests the test answers one by one. */
function manualProvider() {
  const pending: Array<{ grant: (taskExecutorId: string) => void; refuse: () => void }> = [];
  const freed: string[] = [];
  let next = 0;
  return {
    pending,
    freed,
    provider: {
      requestSlot: (jobId: string) =>
        new Promise<SlotAssignment>((resolve, reject) => {
          const allocationId = `alloc-${next++}`;
          pending.push({
            grant: (taskExecutorId) =>
              resolve({ allocationId, taskExecutorId, address: `${taskExecutorId}:1`, slotIndex: 0, jobId }),
            refuse: () => reject(new ResourceExhaustedError('no slot')),
          });
        }),
      freeSlot: async (slot: SlotAssignment) => void freed.push(slot.allocationId),
    },
  };
}

describe('SlotPool', () => {
  it('does not ask twice for an index whose request is still in flight after another one was refused', async () => {
    const { pending, freed, provider } = manualProvider();
    const pool = new SlotPool({
      jobId: 'job-1',
      provider,
      resources: ANY_RESOURCES,
      wanted: () => true,
      reason: () => 'done',
    });
    const first = pool.acquire(2, () => true);
    expect(pending).toHaveLength(2);
    pending[0].refuse();
    await expect(first).rejects.toThrow(ResourceExhaustedError);
    // The restart asks again: only index 0 needs a new request; index 1's is still on its way.
    const second = pool.acquire(2, () => true);
    expect(pending).toHaveLength(3);
    pending[1].grant('te-1');
    pending[2].grant('te-2');
    await second;
    expect([pool.slotOf(0)?.allocationId, pool.slotOf(1)?.allocationId]).toEqual(['alloc-2', 'alloc-1']);
    expect(freed).toEqual([]);
    await pool.releaseAll('job finished');
    expect(freed.sort()).toEqual(['alloc-1', 'alloc-2']);
  });

  it('frees a slot that arrives when the job no longer wants it', async () => {
    const { pending, freed, provider } = manualProvider();
    let wanted = true;
    const pool = new SlotPool({
      jobId: 'job-1',
      provider,
      resources: ANY_RESOURCES,
      wanted: () => wanted,
      reason: () => 'job CANCELED',
    });
    const acquiring = pool.acquire(1, () => wanted);
    wanted = false;
    pending[0].grant('te-1');
    await acquiring;
    expect(freed).toEqual(['alloc-0']);
    expect(pool.slotOf(0)).toBeUndefined();
  });
});
