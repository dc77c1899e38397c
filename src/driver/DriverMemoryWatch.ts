/**
 * Enforces a driver's direct and native memory limits from inside its worker thread. V8 caps the
 * heap itself (`resourceLimits`); the other two are measured here, every 100 ms by default, from
 * the worker isolate's own `v8.getHeapStatistics()`:
 *
 * - direct memory (`--driver-direct-memory`) is `external_memory`: the memory outside the V8 heap
 *   that objects of this isolate hold, above all the backing stores of ArrayBuffers, typed arrays
 *   and Buffers;
 * - native memory (`--driver-native-memory`) is `malloced_memory`: what V8 itself allocated with
 *   malloc for this isolate (compiler zones, parser and runtime tables), not counted in the heap.
 *
 * Neither counts memory that native addons or libuv allocate on their own, and memory shared by
 * the whole process is not attributed to the driver. The watch samples between turns of the
 * worker's event loop, so a driver that blocks its loop is checked once it yields.
 */
import { getHeapStatistics } from 'node:v8';
import { DriverMemoryLimitError } from './DriverMemoryLimitError.js';

const MIB = 1024 * 1024;

/** The statistics the watch reads (those of `v8.getHeapStatistics()`). */
export interface MemorySample {
  external_memory: number;
  malloced_memory: number;
}

/** Options of a {@link DriverMemoryWatch}. */
export interface DriverMemoryWatchOptions {
  /** The direct memory limit in MiB; 0 for none. */
  directMemoryMb: number;
  /** The native memory limit in MiB; 0 for none. */
  nativeMemoryMb: number;
  /** Called once, with the error naming the limit, when a limit is passed. */
  onExceeded(error: DriverMemoryLimitError): void;
  /** How often to sample, in milliseconds; 100 by default. */
  intervalMs?: number;
  /** Where samples come from; the worker isolate's heap statistics by default. */
  sample?: () => MemorySample;
}

/** Samples a driver's memory and reports the first limit it passes. */
export class DriverMemoryWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DriverMemoryWatchOptions) {}

  /** Starts sampling, unless there is no limit to watch. */
  start(): void {
    if (this.options.directMemoryMb <= 0 && this.options.nativeMemoryMb <= 0) return;
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 100);
    // The watch never keeps a driver's worker alive on its own.
    this.timer.unref();
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample; reports and stops when a limit is passed. */
  check(): void {
    const sample = (this.options.sample ?? (getHeapStatistics as () => MemorySample))();
    const exceeded = this.exceeded(sample);
    if (!exceeded) return;
    this.stop();
    this.options.onExceeded(exceeded);
  }

  private exceeded(sample: MemorySample): DriverMemoryLimitError | undefined {
    const { directMemoryMb, nativeMemoryMb } = this.options;
    if (directMemoryMb > 0 && sample.external_memory > directMemoryMb * MIB) {
      return new DriverMemoryLimitError(
        `the driver went past its direct memory: it holds ${toMib(sample.external_memory)} MiB in ArrayBuffers and Buffers, and its limit is ${directMemoryMb} MiB (--driver-direct-memory)`,
      );
    }
    if (nativeMemoryMb > 0 && sample.malloced_memory > nativeMemoryMb * MIB) {
      return new DriverMemoryLimitError(
        `the driver went past its native memory: V8 allocated ${toMib(sample.malloced_memory)} MiB outside its heap for it, and its limit is ${nativeMemoryMb} MiB (--driver-native-memory)`,
      );
    }
    return undefined;
  }
}

function toMib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
