/**
 * Group commit for the state database. With it, transactions commit to SQLite's write-ahead log
 * without an fsync each (`synchronous = NORMAL`), and whatever must not go on before they are on
 * disk (an RPC about to answer, a watcher about to be sent events) awaits {@link GroupCommit.durable},
 * which fsyncs the log once for every transaction committed until then, in the libuv thread pool.
 *
 * `synchronous = FULL` is exactly NORMAL plus an fsync of the log after every commit (SQLite's
 * documentation of WAL mode), so this keeps its promise where it matters: an accepted request is on
 * disk before it is answered, an event before anyone is sent it. What changes is the cost: a burst
 * of transactions (an application's events, many submissions at once) shares one fsync instead of
 * paying one each, and the event loop never blocks on the disk. A crash of the process loses nothing
 * either way (the log is in the operating system's page cache); a crash of the machine can lose the
 * last transactions, which nobody outside was told about yet, as if they had not happened.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { StateDatabase } from './stateDatabase.js';
import { stateWriteErrorOf } from '../stateWriteError.js';

const fdatasyncAsync = promisify(fdatasync);

/** One fsync of the log: the changes it covers once it has started, and its end. */
interface Sync {
  covers: number;
  done: Promise<void>;
}

/** Makes a state database commit in groups; see the module's comment. */
export class GroupCommit {
  private readonly fd: number;
  /** SQLite's count of rows changed through this connection: it grows with every write, committed or not. */
  private readonly changes: () => number;
  /** The count the last completed fsync covered. */
  private durableChanges: number;
  private running: Sync | undefined;
  private queued: Sync | undefined;
  private syncs = 0;
  private readonly stateDir: string;

  /** Switches `db` (opened from `file` in WAL mode) to group commit; what was committed before is made durable at once. */
  constructor(db: StateDatabase, file: string) {
    const count = db.prepare('SELECT total_changes() AS changes');
    this.changes = () => (count.get() as { changes: number }).changes;
    this.stateDir = dirname(file);
    // The log exists once the database has been written to (opening it migrates at least once).
    this.fd = openSync(`${file}-wal`, 'r');
    db.pragma('synchronous = NORMAL');
    // A checkpoint copies every page changed since the last one into the database file (and fsyncs
    // it), on the event loop, inside the commit that crosses the limit. Every 10,000 pages (40 MB of
    // log) instead of SQLite's 1,000, a page changed by many commits in between is copied once: 30 %
    // fewer bytes written per application in figure 5, and a tenth of the stalls.
    db.pragma('wal_autocheckpoint = 10000');
    fdatasyncSync(this.fd);
    this.durableChanges = this.changes();
  }

  /** Resolves once every transaction committed before the call is on disk (at once when nothing new was written). */
  durable(): Promise<void> {
    const needed = this.changes();
    if (needed <= this.durableChanges) return Promise.resolve();
    if (this.running && this.running.covers >= needed) return this.running.done;
    this.queued ??= this.queue();
    return this.queued.done;
  }

  /** How many fsyncs of the log were made since the start (for tests and measurements). */
  get syncCount(): number {
    return this.syncs;
  }

  /** Closes the log's file descriptor (after the database). */
  close(): void {
    closeSync(this.fd);
  }

  /** The next fsync: it starts once the one running has ended, and covers what was committed by then. */
  private queue(): Sync {
    const before = this.running?.done.catch(() => undefined) ?? Promise.resolve();
    const sync: Sync = { covers: Number.POSITIVE_INFINITY, done: Promise.resolve() };
    sync.done = before.then(async () => {
      this.queued = undefined;
      sync.covers = this.changes();
      this.running = sync;
      try {
        await fdatasyncAsync(this.fd);
        this.syncs++;
        this.durableChanges = Math.max(this.durableChanges, sync.covers);
      } catch (error) {
        // The disk failed the fsync (or filled up): the waiters learn it as a failure to write the state.
        throw stateWriteErrorOf(error, this.stateDir) ?? error;
      } finally {
        if (this.running === sync) this.running = undefined;
      }
    });
    return sync;
  }
}
