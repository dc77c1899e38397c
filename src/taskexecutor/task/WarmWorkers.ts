/**
 * Worker threads started ahead of the tasks that will use them. A task's worker spends most of
 * its start loading the runtime's modules (the user-function loader, the operators); a warm
 * worker has done that already and waits for its task (a `start` message, see taskWorker.ts), so
 * deploying a task costs a message instead of a thread start. Each warm worker serves one task
 * and is replaced in the background once its task's worker has exited: loading a worker keeps a
 * processor busy for a few hundred milliseconds, which, done at once, competes with the tasks of
 * the job that just took the workers (in the word-count benchmark, 0.3 to 0.6 s per refill, on a
 * machine of 2 cores whose 2 counting threads were busy). Only pipeline tasks of the slots' default heap
 * use them: a driver's worker needs its own heap limit and captured console, so it starts fresh.
 */
import { Worker } from 'node:worker_threads';
import { taskWorkerEntry } from './taskWorkerEntry.js';

/** Options of {@link WarmWorkers}. */
export interface WarmWorkersOptions {
  /** How many workers to keep waiting. */
  size: number;
  /** The V8 old-space limit of the workers, in MiB (0 for none): a task takes a warm worker only with this limit. */
  heapMb: number;
}

/** A small pool of started, idle task workers. */
export class WarmWorkers {
  private readonly idle: Worker[] = [];
  private closed = false;
  /** The worker loading now, if any. */
  private warming: Worker | undefined;

  constructor(private readonly options: WarmWorkersOptions) {}

  /**
   * Starts the workers that are missing, one after the other (each once the previous one has
   * loaded), so warming up never competes for the processor with more than one thread.
   */
  fill(): void {
    if (this.closed || this.warming || this.idle.length >= this.options.size) return;
    const worker = new Worker(taskWorkerEntry(), {
      // No descriptor: the worker loads its modules, says `warm`, and waits for a `start` message.
      workerData: {},
      resourceLimits: this.options.heapMb > 0 ? { maxOldGenerationSizeMb: this.options.heapMb } : undefined,
    });
    worker.unref();
    this.warming = worker;
    const ready = () => {
      if (this.warming === worker) this.warming = undefined;
      this.fill();
    };
    worker.once('message', ready);
    // A warm worker that dies (out of memory while idle, terminated) simply leaves the pool.
    const leave = () => {
      this.remove(worker);
      ready();
    };
    worker.once('error', leave);
    worker.once('exit', leave);
    this.idle.push(worker);
  }

  /**
   * A warm worker for a task of heap limit `heapMb`, or undefined (start a fresh one); the pool
   * refills once the worker taken has exited.
   */
  take(heapMb: number): Worker | undefined {
    if (heapMb !== this.options.heapMb) return undefined;
    const worker = this.idle.shift();
    if (worker) {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      worker.removeAllListeners('message');
      worker.ref();
      worker.once('exit', () => this.fill());
      if (this.warming === worker) this.warming = undefined;
    }
    return worker;
  }

  /** Stops the idle workers. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private remove(worker: Worker): void {
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
  }
}
