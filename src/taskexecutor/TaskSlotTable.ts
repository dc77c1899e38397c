/**
 * The slots of one task executor: its cpus and memory divided evenly between them, and which
 * allocation (job) each slot is given to.
 */
import { FailedPreconditionError, NotFoundError, ResourceExhaustedError } from '../common/errors.js';
import type { ResourceProfile } from '../jobgraph/jobGraph.js';
import { describeProfile, fits, type SlotStatus } from '../runtime/SlotStatus.js';

/** The task executor's slots. */
export class TaskSlotTable {
  private readonly slots: SlotStatus[];

  /** Divides `total` between `count` slots. */
  constructor(count: number, total: { cpus: number; memoryMb: number }) {
    const perSlot: ResourceProfile = {
      cpus: total.cpus / count,
      heapMemoryMb: Math.floor(total.memoryMb / count),
      directMemoryMb: Math.floor(total.memoryMb / count),
      nativeMemoryMb: Math.floor(total.memoryMb / count),
    };
    this.slots = Array.from({ length: count }, (_, slotIndex) => ({
      slotIndex,
      resources: { ...perSlot },
      allocationId: '',
      jobId: '',
    }));
  }

  /** A copy of every slot's status. */
  report(): SlotStatus[] {
    return this.slots.map((slot) => ({ ...slot, resources: { ...slot.resources } }));
  }

  /** Allocates a slot (a given index, or any free one that fits when the index is negative). */
  allocate(request: {
    slotIndex: number;
    jobId: string;
    allocationId: string;
    resources: ResourceProfile;
  }): SlotStatus {
    const existing = this.slots.find((slot) => slot.allocationId === request.allocationId);
    if (existing) return { ...existing };
    const slot =
      request.slotIndex >= 0
        ? this.slots[request.slotIndex]
        : this.slots.find((candidate) => candidate.allocationId === '' && fits(request.resources, candidate.resources));
    if (!slot) {
      if (request.slotIndex >= this.slots.length)
        throw new NotFoundError(
          `slot ${request.slotIndex} does not exist (this task executor has ${this.slots.length})`,
        );
      throw new ResourceExhaustedError(`no free slot offers ${describeProfile(request.resources)}`);
    }
    if (slot.allocationId !== '')
      throw new FailedPreconditionError(`slot ${slot.slotIndex} is already allocated to job ${slot.jobId}`);
    if (!fits(request.resources, slot.resources)) {
      throw new ResourceExhaustedError(
        `slot ${slot.slotIndex} offers ${describeProfile(slot.resources)}, less than the requested ${describeProfile(request.resources)}`,
      );
    }
    slot.allocationId = request.allocationId;
    slot.jobId = request.jobId;
    return { ...slot };
  }

  /** Whether a slot holds `allocationId` for `jobId`. */
  isAllocatedTo(allocationId: string, jobId: string): boolean {
    return this.slots.some((slot) => slot.allocationId === allocationId && slot.jobId === jobId);
  }

  /** Frees an allocation; false when no slot holds it. */
  free(allocationId: string): boolean {
    const slot = this.slots.find((candidate) => candidate.allocationId === allocationId);
    if (!slot) return false;
    slot.allocationId = '';
    slot.jobId = '';
    return true;
  }
}
