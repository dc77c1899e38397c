/**
 * The slots of one job (Flink's SlotPool, with slot sharing): subtask index i of every vertex runs
 * in slot i, so a job of maximum parallelism P holds P slots. Slots are kept across restarts; a
 * slot request per index is never made twice while one is in flight; a slot that arrives when it
 * is no longer wanted (the job ended, or the index has one) goes straight back.
 */
import type { ResourceProfile } from '../jobgraph/jobGraph.js';
import type { SlotAssignment } from '../resourcemanager/ResourceManager.js';

/** Where a job's slots come from. */
export interface SlotProvider {
  requestSlot(jobId: string, resources: ResourceProfile): Promise<SlotAssignment>;
  freeSlot(assignment: SlotAssignment, reason: string): Promise<void>;
}

/** Settings of a {@link SlotPool}. */
export interface SlotPoolOptions {
  jobId: string;
  provider: SlotProvider;
  /** What each slot must offer. */
  resources: ResourceProfile;
  /** Whether the job still wants slots; a late slot is freed with `reason()`. */
  wanted(): boolean;
  reason(): string;
}

/** One job's slots by subtask index. */
export class SlotPool {
  private readonly slots: (SlotAssignment | undefined)[] = [];
  private readonly requests = new Map<number, Promise<void>>();

  constructor(private readonly options: SlotPoolOptions) {}

  /** The slot of subtask index `index`, once it has one. */
  slotOf(index: number): SlotAssignment | undefined {
    return this.slots[index];
  }

  /**
   * Gets a slot for every index below `count`. A task executor lost meanwhile takes its slots with
   * it, so the pool asks again until every index has one or `keepGoing` says stop. Rejects with the
   * first refused request.
   */
  async acquire(count: number, keepGoing: () => boolean): Promise<void> {
    const indices = Array.from({ length: count }, (_, index) => index);
    while (keepGoing() && indices.some((index) => !this.slots[index])) {
      await Promise.all(indices.map((index) => this.acquireOne(index)));
    }
  }

  /** Forgets the slots of a task executor that is gone (there is nothing to free there). */
  forgetTaskExecutor(taskExecutorId: string): void {
    for (const [index, slot] of this.slots.entries())
      if (slot?.taskExecutorId === taskExecutorId) this.slots[index] = undefined;
  }

  /** Frees every slot the pool holds. */
  async releaseAll(reason: string): Promise<void> {
    const held = this.slots.splice(0).filter((slot): slot is SlotAssignment => slot !== undefined);
    await Promise.all(held.map((slot) => this.options.provider.freeSlot(slot, reason)));
  }

  private acquireOne(index: number): Promise<void> {
    if (this.slots[index]) return Promise.resolve();
    const inFlight = this.requests.get(index);
    if (inFlight) return inFlight;
    const request = (async () => {
      try {
        const slot = await this.options.provider.requestSlot(this.options.jobId, this.options.resources);
        if (!this.options.wanted() || this.slots[index])
          await this.options.provider.freeSlot(slot, this.options.reason());
        else this.slots[index] = slot;
      } finally {
        this.requests.delete(index);
      }
    })();
    this.requests.set(index, request);
    return request;
  }
}
