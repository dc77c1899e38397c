import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WarmWorkers } from './WarmWorkers.js';

describe('WarmWorkers', () => {
  it('replaces a worker once the worker taken has exited, not while its task may still run', async () => {
    const warm = new WarmWorkers({ size: 1, heapMb: 0 });
    warm.fill();
    let second: Worker | undefined;
    try {
      const first = warm.take(0);
      expect(first).toBeDefined();
      // A pool that refilled at once would hold a new (loading) worker after this turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warm.take(0)).toBeUndefined();
      await first!.terminate();
      await expect.poll(() => (second = warm.take(0)), { timeout: 10_000 }).toBeDefined();
    } finally {
      await second?.terminate();
      await warm.close();
    }
  });
});
