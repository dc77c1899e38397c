/**
 * Units of work over the state database, committed in shared transactions: each unit is queued
 * and, once per turn of the event loop (setImmediate), every queued unit runs, one after another,
 * in one SQLite transaction, each in a savepoint of its own. A unit's promise resolves with its
 * result once the shared transaction has committed, and rejects with its own error (only its
 * savepoint is rolled back; the others commit) or with the commit's.
 *
 * A commit costs far more than the statements of one relayed event: it writes every page it
 * changed to the log (an application row, its event, its cluster's cursor: about 6 pages of 4 KiB)
 * and takes the log's locks. A burst of events from many clusters then shares one commit, and the
 * pages they have in common (the newest applications, events and clusters) are written once. The
 * busier the control plane, the larger the batches, so the work per event falls as the load rises.
 *
 * Units are asynchronous (the store's port is), but a unit awaits only the store, whose calls
 * settle at once: a batch runs within one turn of the event loop. While it is open, writes made
 * outside any unit wait for it to end ({@link TransactionBatch.idle}), so that they never join a
 * unit they are no part of. As with any transaction, a committed batch is on disk only after
 * group commit's fsync ({@link GroupCommit}); callers that answer someone await that.
 */
import type { StateDatabase } from './stateDatabase.js';
import { rolledBack } from './stateDatabase.js';

/** What a unit of work is given: where to register work for after the commit. */
export interface UnitContext {
  /** Callbacks to run once the unit is committed. */
  committed: Array<() => void>;
}

/** One queued unit of work and how to tell its caller the outcome. */
interface QueuedWork {
  work: (unit: UnitContext) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Runs queued units of work in one transaction per turn of the event loop. */
export class TransactionBatch {
  private queue: QueuedWork[] = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  private batches = 0;
  private units = 0;
  private readonly statements: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo',
    { run(): unknown }
  >;

  constructor(private readonly db: StateDatabase) {
    this.statements = {
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
    };
  }

  /** Runs `work` in the next shared transaction; resolves with its result once that has committed. */
  run<T>(work: (unit: UnitContext) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.running = this.flush().finally(() => (this.running = undefined));
        });
      }
    });
  }

  /**
   * Runs `work` (inside a running unit) in a savepoint nested in it: a failure rolls back only what
   * `work` wrote, and drops the after-commit callbacks registered since it began. The unit's own
   * context serves the nested one (no second context and list per savepoint): its callbacks are
   * the unit's once it succeeds, and are cut off at the length they had when it fails.
   */
  async nested<T>(unit: UnitContext, work: () => Promise<T>): Promise<T> {
    const registered = unit.committed.length;
    this.statements.savepoint.run();
    try {
      const result = await work();
      this.statements.release.run();
      return result;
    } catch (error) {
      this.rollbackToSavepoint();
      unit.committed.length = registered;
      throw error;
    }
  }

  /** Undefined when no batch is open; else resolves once it has ended (never rejects). */
  get idle(): Promise<void> | undefined {
    return this.running;
  }

  /** Resolves once every unit queued so far has run (before the database is closed). */
  async drained(): Promise<void> {
    while (this.scheduled || this.running) await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
  }

  /** How many shared transactions ran and how many units they held (for tests and measurements). */
  get counts(): { batches: number; units: number } {
    return { batches: this.batches, units: this.units };
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    // Units queued while this batch runs go to the next one.
    const outcomes: Array<{ ok: true; value: unknown; unit: UnitContext } | { ok: false; error: unknown }> = [];
    try {
      this.statements.begin.run();
    } catch (error) {
      for (const { reject } of queued) reject(error);
      return;
    }
    for (const { work } of queued) {
      const unit: UnitContext = { committed: [] };
      try {
        this.statements.savepoint.run();
        const value = await work(unit);
        this.statements.release.run();
        outcomes.push({ ok: true, value, unit });
      } catch (error) {
        this.rollbackToSavepoint();
        outcomes.push({ ok: false, error });
      }
    }
    try {
      this.statements.commit.run();
    } catch (error) {
      // The commit failed: nothing of the batch was kept.
      this.quietly(() => {
        if (this.db.inTransaction) this.statements.rollback.run();
      });
      rolledBack(this.db);
      for (const { reject } of queued) reject(error);
      return;
    }
    this.batches++;
    this.units += queued.length;
    queued.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (!outcome.ok) return reject(outcome.error);
      try {
        for (const callback of outcome.unit.committed) callback();
        resolve(outcome.value);
      } catch (error) {
        // Committed, but what was to follow failed: a bug the caller hears of.
        reject(error);
      }
    });
  }

  private rollbackToSavepoint(): void {
    // SQLite may have rolled the whole transaction back already (a full disk, say): then there is no savepoint left.
    this.quietly(() => {
      if (this.db.inTransaction) {
        this.statements.rollbackTo.run();
        this.statements.release.run();
      }
    });
    rolledBack(this.db);
  }

  /** Runs a rollback whose own failure changes nothing: the error that caused it is what the callers hear. */
  private quietly(rollback: () => void): void {
    try {
      rollback();
    } catch {
      // Nothing more to undo.
    }
  }
}
