import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskWorkerLibraryCache } from './TaskWorkerLibraryCache.js';

/** A worker that waits for messages; `throw` makes it throw from its event loop, as leftover user code may. */
function idleWorker(): Worker {
  return new Worker(
    "require('node:worker_threads').parentPort.on('message', (m) => { if (m === 'throw') setImmediate(() => { throw new Error('late'); }); });",
    { eval: true },
  );
}

const caches: TaskWorkerLibraryCache[] = [];
function cacheOf(maxIdle: number, idleTimeoutMs?: number): TaskWorkerLibraryCache {
  caches.push(new TaskWorkerLibraryCache({ maxIdle, idleTimeoutMs }));
  return caches.at(-1) as TaskWorkerLibraryCache;
}
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

describe('TaskWorkerLibraryCache', () => {
  it('hands a kept worker out once, to a task of its key only, newest first', async () => {
    const cache = cacheOf(3);
    const [older, newer, other] = [idleWorker(), idleWorker(), idleWorker()];
    cache.keep('a', older);
    cache.keep('a', newer);
    cache.keep('b', other);
    expect(cache.take('c')).toBeUndefined();
    expect(cache.take('a')).toBe(newer);
    expect(cache.take('a')).toBe(older);
    expect(cache.take('a')).toBeUndefined();
    expect(cache.idleCount).toBe(1);
    await Promise.all([older.terminate(), newer.terminate()]);
  });

  it('keeps at most maxIdle workers, letting the oldest go', async () => {
    const cache = cacheOf(1);
    const [first, second] = [idleWorker(), idleWorker()];
    const firstExited = once(first, 'exit');
    cache.keep('a', first);
    cache.keep('b', second);
    await firstExited;
    expect(cache.idleCount).toBe(1);
    expect(cache.take('a')).toBeUndefined();
    expect(cache.take('b')).toBe(second);
    await second.terminate();
  });

  it('lets a worker go after its idle timeout', async () => {
    const cache = cacheOf(2, 50);
    const worker = idleWorker();
    cache.keep('a', worker);
    await once(worker, 'exit');
    expect(cache.idleCount).toBe(0);
  });

  it('drops a worker that fails while idle, without an uncaught error in this thread', async () => {
    const cache = cacheOf(2);
    const worker = idleWorker();
    cache.keep('a', worker);
    // Not events.once: it would reject with the worker's error, which the cache is to take.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('throw');
    await exited;
    expect(cache.idleCount).toBe(0);
    expect(cache.take('a')).toBeUndefined();
  });

  it('terminates its workers when closed, and every worker kept afterwards', async () => {
    const cache = cacheOf(2);
    const [kept, late] = [idleWorker(), idleWorker()];
    cache.keep('a', kept);
    const exits = [once(kept, 'exit'), once(late, 'exit')];
    await cache.close();
    cache.keep('a', late);
    await Promise.all(exits);
    expect(cache.idleCount).toBe(0);
  });
});
