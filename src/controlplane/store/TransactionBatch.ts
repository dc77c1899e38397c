/**
 * Shared transactions for work that can wait a moment for its commit: each unit of work is queued
 * and, once per turn of the event loop (setImmediate), every queued unit runs in one SQLite
 * transaction, each in a savepoint of its own. A unit's promise resolves with its result once the
 * shared transaction has committed, and rejects with its own error (only its savepoint is rolled
 * back; the others commit) or with the commit's.
 *
 * A commit costs far more than the statements of one relayed event: it writes every page it
 * changed to the log (an application row, its event, its cluster's cursor: about 6 pages of 4 KiB)
 * and takes the log's locks. A burst of events from many clusters then shares one commit, and the
 * pages they have in common (the newest applications, events and clusters) are written once. The
 * busier the control plane, the larger the batches, so the work per event falls as the load rises.
 *
 * Nothing is held open between turns: code that writes with `db.transaction` directly commits as
 * before, and a queued unit runs only when no other transaction is open. As with any transaction,
 * a committed batch is on disk only after group commit's fsync ({@link GroupCommit}); callers that
 * answer someone await that as they already do.
 */
import type { StateDatabase } from './stateDatabase.js';

/** One queued unit of work and how to tell its caller the outcome. */
interface QueuedWork {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Runs queued units of work in one transaction per turn of the event loop. */
export class TransactionBatch {
  private queue: QueuedWork[] = [];
  private scheduled = false;
  private batches = 0;
  private units = 0;

  constructor(private readonly db: StateDatabase) {}

  /** Runs `work` (synchronous, as a transaction function) in the next shared transaction; resolves once that has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** How many shared transactions ran and how many units they held (for tests and measurements). */
  get counts(): { batches: number; units: number } {
    return { batches: this.batches, units: this.units };
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    // Units queued while this batch runs go to the next one.
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const runAll = this.db.transaction(() => {
      for (const { work } of queued) {
        try {
          outcomes.push({ ok: true, value: this.db.transaction(work)() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
    try {
      runAll();
    } catch (error) {
      // The commit failed (or BEGIN did): nothing of the batch was kept.
      for (const { reject } of queued) reject(error);
      return;
    }
    this.batches++;
    this.units += queued.length;
    queued.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }
}
