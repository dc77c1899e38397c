/**
 * Worker threads kept after their task finished cleanly, for the next task of the same bundle
 * (the role of Flink's library cache, which keeps a job's user-code class loader on a task
 * executor while it has a lease and releases it afterwards). Most of a task's start is spent in
 * a new isolate: Node's own start, Flotilla's runtime modules, the first import of the user's
 * bundle modules and the parse of each user function; a kept worker has done all of it. Workers
 * are kept by a reuse key (see workerReuseKey.ts), at most `maxIdle` in all (one per slot), each
 * for at most `idleTimeoutMs`; the oldest is let go first. An idle worker does not keep the
 * process alive, and one that dies while idle (the user's leftover code threw) simply leaves.
 */
import type { Worker } from 'node:worker_threads';

/** Options of a {@link TaskWorkerLibraryCache}. */
export interface TaskWorkerLibraryCacheOptions {
  /** The most idle workers kept, over every key (a task executor keeps one per slot). */
  maxIdle: number;
  /** How long an idle worker is kept, in milliseconds; {@link DEFAULT_IDLE_WORKER_TIMEOUT_MS} when not given. */
  idleTimeoutMs?: number;
}

/** The default of {@link TaskWorkerLibraryCacheOptions.idleTimeoutMs}. */
export const DEFAULT_IDLE_WORKER_TIMEOUT_MS = 30_000;

interface IdleWorker {
  key: string;
  worker: Worker;
  timer: NodeJS.Timeout;
  leave: () => void;
}

/** The idle task workers of one task executor. */
export class TaskWorkerLibraryCache {
  /** Oldest first. */
  private readonly idle: IdleWorker[] = [];
  private closed = false;

  constructor(private readonly options: TaskWorkerLibraryCacheOptions) {}

  /** How many workers wait now. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** The most recently kept worker of `key`, taken out of the cache (its task owns it now), or undefined. */
  take(key: string): Worker | undefined {
    for (let at = this.idle.length - 1; at >= 0; at--) {
      const entry = this.idle[at];
      if (entry.key !== key) continue;
      this.remove(entry);
      entry.worker.ref();
      return entry.worker;
    }
    return undefined;
  }

  /**
   * Keeps a worker whose task finished cleanly, listeners of its task removed; it is terminated
   * instead when the cache is closed or keeps none. Past `maxIdle`, the oldest idle worker goes.
   */
  keep(key: string, worker: Worker): void {
    if (this.closed || this.options.maxIdle <= 0) return void letGo(worker);
    const entry: IdleWorker = {
      key,
      worker,
      timer: setTimeout(() => this.evict(entry), this.options.idleTimeoutMs ?? DEFAULT_IDLE_WORKER_TIMEOUT_MS).unref(),
      leave: () => this.remove(entry),
    };
    // Listening for 'error' also keeps an idle worker's failure from being an uncaught error here.
    worker.once('error', entry.leave);
    worker.once('exit', entry.leave);
    worker.unref();
    this.idle.push(entry);
    while (this.idle.length > this.options.maxIdle) this.evict(this.idle[0]);
  }

  /** Terminates every idle worker and keeps none from now on. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.idle.map((entry) => entry.worker);
    for (const entry of [...this.idle]) this.remove(entry);
    await Promise.all(workers.map(letGo));
  }

  private evict(entry: IdleWorker): void {
    if (!this.idle.includes(entry)) return;
    this.remove(entry);
    void letGo(entry.worker);
  }

  private remove(entry: IdleWorker): void {
    const at = this.idle.indexOf(entry);
    if (at >= 0) this.idle.splice(at, 1);
    clearTimeout(entry.timer);
    entry.worker.off('error', entry.leave);
    entry.worker.off('exit', entry.leave);
  }
}

/** Terminates a worker nobody listens to any more; an error it still reports is of no interest. */
async function letGo(worker: Worker): Promise<void> {
  worker.on('error', () => undefined);
  await worker.terminate();
}
