/**
 * The error a driver fails with when it goes past one of its memory limits (heap, direct or
 * native memory). The message names the limit and the flag that set it, so the user knows which
 * one to raise.
 */
import { ResourceExhaustedError } from '../common/errors.js';

/** A driver used more memory of some kind than its limit allows. */
export class DriverMemoryLimitError extends ResourceExhaustedError {
  override name = 'DriverMemoryLimitError';
}
