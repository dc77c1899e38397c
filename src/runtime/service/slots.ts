/** Converts resource profiles and slot statuses between proto messages and domain objects. */
import type { ResourceProfile as ProfileMessage } from '../../../generated/flotilla/v1/common.js';
import type { SlotStatus as SlotStatusMessage } from '../../../generated/flotilla/v1/resources.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ResourceProfile } from '../../jobgraph/jobGraph.js';
import type { SlotStatus } from '../SlotStatus.js';

/** A proto resource profile as a domain one; unset means "any". Negative or non-finite cpus are refused. */
export function resourceProfileFromMessage(message: ProfileMessage | undefined): ResourceProfile {
  const cpus = message?.cpus ?? 0;
  if (!Number.isFinite(cpus) || cpus < 0)
    throw new InvalidArgumentError(`cpus ${cpus} must be a finite number of at least 0`);
  return {
    cpus,
    heapMemoryMb: message?.heapMemoryMb ?? 0,
    directMemoryMb: message?.directMemoryMb ?? 0,
    nativeMemoryMb: message?.nativeMemoryMb ?? 0,
  };
}

/** A domain resource profile as a proto one. */
export function resourceProfileToMessage(profile: ResourceProfile): ProfileMessage {
  return { ...profile };
}

/** A proto slot status as a domain one. */
export function slotFromMessage(message: SlotStatusMessage): SlotStatus {
  return {
    slotIndex: message.slotIndex,
    resources: resourceProfileFromMessage(message.resources),
    allocationId: message.allocationId,
    jobId: message.jobId,
  };
}

/** A domain slot status as a proto one. */
export function slotToMessage(slot: SlotStatus): SlotStatusMessage {
  return { ...slot, resources: resourceProfileToMessage(slot.resources) };
}
