/**
 * Retries a control-plane call that failed for a reason that passes: the control plane could not
 * be reached (it restarts), or answered UNAVAILABLE (a cluster behind it cannot be reached for
 * now). Only for calls that are safe to repeat: reads, and writes made idempotent by a request id.
 */
import { UnavailableError } from '../common/errors.js';
import { ControlPlaneUnreachableError } from './errors.js';

/** Whether a call failed for a reason that passes: the control plane could not be reached, or answered UNAVAILABLE. */
function isTransientFailure(error: unknown): boolean {
  return error instanceof ControlPlaneUnreachableError || error instanceof UnavailableError;
}

/**
 * Runs `call`, again after a growing pause (up to 2 s) while it fails with what `isTransient`
 * accepts (by default, either reason above), for up to `retryForMs` (default 60 s).
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  retryForMs = 60_000,
  isTransient: (error: unknown) => boolean = isTransientFailure,
): Promise<T> {
  const deadline = Date.now() + retryForMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 200 * 2 ** attempt)));
    }
  }
}
