/** A task executor's slot as the resource manager and the task executor both describe it. */
import type { ResourceProfile } from '../jobgraph/jobGraph.js';

/** One slot: its resources and, when allocated, to which job and allocation. */
export interface SlotStatus {
  slotIndex: number;
  resources: ResourceProfile;
  /** Empty when the slot is free. */
  allocationId: string;
  /** Empty when the slot is free. */
  jobId: string;
}

/** A profile that asks for nothing in particular. */
export const ANY_RESOURCES: ResourceProfile = { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 };

/** Whether a slot with `offered` resources can host a task that asks for `requested` (zero asks for nothing). */
export function fits(requested: ResourceProfile, offered: ResourceProfile): boolean {
  return (
    requested.cpus <= offered.cpus &&
    requested.heapMemoryMb <= offered.heapMemoryMb &&
    requested.directMemoryMb <= offered.directMemoryMb &&
    requested.nativeMemoryMb <= offered.nativeMemoryMb
  );
}

/** A readable form of a profile for messages, such as "1 cpu, 512 MB heap". */
export function describeProfile(profile: ResourceProfile): string {
  const parts = [
    profile.cpus > 0 ? `${profile.cpus} cpu` : '',
    profile.heapMemoryMb > 0 ? `${profile.heapMemoryMb} MB heap` : '',
    profile.directMemoryMb > 0 ? `${profile.directMemoryMb} MB direct` : '',
    profile.nativeMemoryMb > 0 ? `${profile.nativeMemoryMb} MB native` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'any resources';
}
