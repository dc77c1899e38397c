/**
 * 64-bit protobuf integers arrive as bigint (ts-proto forceLong=bigint) so that hostile values
 * decode instead of throwing; domain code uses numbers, and these helpers convert with a check.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** Converts a 64-bit field to a number, refusing values past 2^53 or below zero with INVALID_ARGUMENT. */
export function toSafeNumber(value: bigint, field: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError(`${field} ${value} is out of range (0 to ${Number.MAX_SAFE_INTEGER})`);
  }
  return Number(value);
}
