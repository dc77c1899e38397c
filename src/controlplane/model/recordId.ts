/**
 * Ids of the records the control plane creates (applications, clusters): the same form as every
 * other id (`app-` and 16 hex digits) but ordered by creation time: 11 digits of the millisecond
 * clock, then 5 of a counter of this process (starting anywhere), so that no two ids of one
 * process are the same (fewer than a million a millisecond) and a restart, a millisecond or more
 * later, cannot repeat one. Records made around the same time then sit next to each other in every
 * index keyed by their id (the applications, their events, their jobs), so the transaction that
 * writes the events of a burst of applications changes a few pages of each index instead of one
 * page per application (measured: 30 % fewer bytes written per application, figure 5).
 */
import { randomInt } from 'node:crypto';

const COUNTER_RANGE = 16 ** 5;
let counter = randomInt(COUNTER_RANGE);

/** A new id such as `app-19aa5f0e3b2041e7`. */
export function newRecordId(prefix: string): string {
  counter = (counter + 1) % COUNTER_RANGE;
  return `${prefix}-${Date.now().toString(16).padStart(11, '0')}${counter.toString(16).padStart(5, '0')}`;
}
