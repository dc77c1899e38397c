/**
 * Ids of the records the control plane creates (applications, clusters): the same form as every
 * other id (`app-` and 16 hex digits) but ordered by creation time: 11 digits of the millisecond
 * clock, then 5 that are a counter of this process passed through a keyed permutation. Records
 * made around the same time then sit next to each other in every index keyed by their id (the
 * applications, their events, their jobs), so the transaction that writes the events of a burst of
 * applications changes a few pages of each index instead of one page per application (measured:
 * 30 % fewer bytes written per application, figure 5).
 *
 * The counter keeps two ids of one process apart (fewer than a million a millisecond; a restart,
 * a millisecond or more later, cannot repeat one), but it is shared by every tenant: written as it
 * is, the gap between two of a tenant's ids would count the records other tenants made between
 * them. So the last 5 digits are the counter encrypted with a key of this process (a Feistel
 * permutation of the 20-bit counter, tweaked by the millisecond): still one digit string per
 * counter value, so still unique, but they look random and tell nothing about other tenants.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

const HALF_BITS = 10;
const HALF_MASK = (1 << HALF_BITS) - 1;
const COUNTER_RANGE = 1 << (2 * HALF_BITS);
const ROUNDS = 8;

const key = randomBytes(32);
let counter = randomInt(COUNTER_RANGE);

/** A new id such as `app-19aa5f0e3b2041e7`. */
export function newRecordId(prefix: string): string {
  counter = (counter + 1) % COUNTER_RANGE;
  const millis = Date.now();
  return `${prefix}-${millis.toString(16).padStart(11, '0')}${permute(counter, millis).toString(16).padStart(5, '0')}`;
}

/** The keyed permutation of the 20-bit `value` for millisecond `millis` (a balanced Feistel network). */
function permute(value: number, millis: number): number {
  let left = value >> HALF_BITS;
  let right = value & HALF_MASK;
  for (let round = 0; round < ROUNDS; round++) [left, right] = [right, left ^ roundFunction(round, millis, right)];
  return (left << HALF_BITS) | right;
}

/** The round function: 10 bits of an HMAC of the round, the millisecond and the half. */
function roundFunction(round: number, millis: number, half: number): number {
  const input = Buffer.alloc(9);
  input.writeUInt8(round, 0);
  input.writeUIntBE(millis, 1, 6);
  input.writeUInt16BE(half, 7);
  return createHmac('sha256', key).update(input).digest().readUInt16BE(0) & HALF_MASK;
}
