import { describe, expect, it } from 'vitest';
import { DriverMemoryLimitError } from './DriverMemoryLimitError.js';
import { DriverMemoryWatch, type MemorySample } from './DriverMemoryWatch.js';

const MIB = 1024 * 1024;

/** A watch over scripted samples; `exceeded` holds what it reported. */
function scriptedWatch(limits: { directMemoryMb: number; nativeMemoryMb: number }, samples: MemorySample[]) {
  const exceeded: DriverMemoryLimitError[] = [];
  let next = 0;
  const watch = new DriverMemoryWatch({
    ...limits,
    intervalMs: 5,
    onExceeded: (error) => void exceeded.push(error),
    sample: () => samples[Math.min(next++, samples.length - 1)],
  });
  return { watch, exceeded, taken: () => next };
}

describe('DriverMemoryWatch', () => {
  it('reports direct memory (external_memory) past its limit once, naming the limit and the flag', () => {
    const { watch, exceeded } = scriptedWatch({ directMemoryMb: 64, nativeMemoryMb: 0 }, [
      { external_memory: 64 * MIB, malloced_memory: 900 * MIB },
      { external_memory: 80 * MIB + MIB / 2, malloced_memory: 0 },
      { external_memory: 90 * MIB, malloced_memory: 0 },
    ]);
    watch.check();
    expect(exceeded).toEqual([]);
    watch.check();
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0]).toBeInstanceOf(DriverMemoryLimitError);
    expect(exceeded[0].message).toBe(
      'the driver went past its direct memory: it holds 80.5 MiB in ArrayBuffers and Buffers, and its limit is 64 MiB (--driver-direct-memory)',
    );
  });

  it('reports native memory (malloced_memory) past its limit', () => {
    const { watch, exceeded } = scriptedWatch({ directMemoryMb: 0, nativeMemoryMb: 16 }, [
      { external_memory: 500 * MIB, malloced_memory: 17 * MIB },
    ]);
    watch.check();
    expect(exceeded.map((error) => error.message)).toEqual([
      'the driver went past its native memory: V8 allocated 17.0 MiB outside its heap for it, and its limit is 16 MiB (--driver-native-memory)',
    ]);
  });

  it('samples on its interval until a limit is passed, then stops; without limits it never samples', async () => {
    const limited = scriptedWatch({ directMemoryMb: 1, nativeMemoryMb: 0 }, [
      { external_memory: 0, malloced_memory: 0 },
      { external_memory: 0, malloced_memory: 0 },
      { external_memory: 2 * MIB, malloced_memory: 0 },
    ]);
    limited.watch.start();
    await expect.poll(() => limited.exceeded.length).toBe(1);
    const taken = limited.taken();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(limited.taken()).toBe(taken);

    const unlimited = scriptedWatch({ directMemoryMb: 0, nativeMemoryMb: 0 }, [
      { external_memory: 10 * MIB, malloced_memory: 10 * MIB },
    ]);
    unlimited.watch.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(unlimited.taken()).toBe(0);
  });
});
