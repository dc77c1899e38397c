/**
 * The failure of a driver whose worker thread ran out of heap. V8 enforces the heap limit
 * (`resourceLimits.maxOldGenerationSizeMb` = the driver's heap memory) by stopping the worker; the
 * task executor's main thread sees only Node's generic ERR_WORKER_OUT_OF_MEMORY, and turns it into
 * this failure, which names the limit and the flag that sets it.
 */
import { serializeError, type SerializedError } from '../common/status.js';
import { DriverMemoryLimitError } from './DriverMemoryLimitError.js';

/** The failure of a driver stopped at `heapMemoryMb` (0: no limit of its own); `error` is Node's. */
export function driverOutOfHeapFailure(heapMemoryMb: number, error: Error): SerializedError {
  const message =
    heapMemoryMb > 0
      ? `the driver ran out of heap memory: its limit is ${heapMemoryMb} MiB (--driver-heap-memory)`
      : `the driver ran out of heap memory (it had no limit of its own: ${error.message})`;
  return { name: new DriverMemoryLimitError().name, message, stack: '', cause: serializeError(error) };
}
