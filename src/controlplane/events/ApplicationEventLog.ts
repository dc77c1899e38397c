/**
 * Applications' event logs: an event is stored (SQLite, fsynced) before any watcher is woken, and
 * watchers read by cursor from the store, never from a queue of their own. So a watch that replays
 * stored events and then follows live ones sees every event once, in order, without gaps, also
 * across the switch from replay to live, and a slow watcher costs no memory. With group commit, a
 * batch read from the store is sent only once it is on disk (`durable`), so no watcher is ever sent
 * an event a crash of the machine could take back. The readers of one application share the last
 * store read until the next event is appended: a thousand followers woken by one event cost one
 * read, not a thousand. Events another replica appended (PostgreSQL) wake the watchers here through
 * {@link ApplicationEventLog.remoteChange}, and they read them from the store like any other.
 */
import { throwIfAborted } from 'abort-controller-x';
import { OutOfRangeError } from '../../common/errors.js';
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationEventStore } from '../store/ApplicationEventStore.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { StoreTransaction } from '../store/ControlPlaneStore.js';
import { KeyedNotifier, type KeyedSubscription } from './KeyedNotifier.js';

/** What a watch asks for. */
export interface ApplicationEventWatch {
  applicationId: string;
  /** Yield events with a greater sequence; 0 yields from the first. */
  afterSequence: number;
  /** Keep yielding new events until the application has ended (true), or stop after the stored ones (false). */
  follow: boolean;
  /** Aborting it ends the watch with an AbortError. */
  signal?: AbortSignal;
}

const READ_BATCH = 256;

/** A store read of one application's events after `after`, (once asked) whether it had ended then, and the wait until it is on disk. */
interface SharedRead {
  after: number;
  events: ApplicationEvent[];
  ended?: boolean;
  /**
   * Whether the application had ended when its readers found nothing after the cursor: one status
   * read asked for by the first of them and awaited by all, as the events are (a store that keeps no
   * rows in memory, PostgreSQL, would otherwise answer one query per watcher of every event).
   */
  endedRead?: Promise<boolean>;
  /** Group commit's fsync that covers the read, asked for by its first reader and awaited by all (dropped if it fails, so a later reader asks again). */
  durable?: Promise<void>;
  /** Whether nothing is stored after `after` still, read once the status said ended; one read for all its readers (see read()). */
  nothingAfterEnd?: Promise<boolean>;
}

/** Appends to and watches the event logs of all applications. */
export class ApplicationEventLog {
  private readonly notifier = new KeyedNotifier();
  private readonly listeners: Array<(event: ApplicationEvent) => void> = [];
  /** Per application being read: the last read (perhaps still under way) and its cursor, valid until the next append (which deletes it). */
  private readonly lastReads = new Map<string, { after: number; read: Promise<SharedRead> }>();
  private readonly readers = new Map<string, number>();
  /** How many appends have committed: a read or a status that began before a change of it may be out of date. */
  private appends = 0;

  constructor(
    private readonly events: ApplicationEventStore,
    private readonly applications: ApplicationStore,
    /** Resolves once every committed transaction is on disk (group commit); unset when every commit is. */
    private readonly durable?: () => Promise<void>,
  ) {}

  /**
   * Stores the event as the application's next one in the unit of work `tx`, and wakes its
   * watchers once that has committed; returns it with its sequence.
   */
  append(
    tx: StoreTransaction,
    applicationId: string,
    kind: ApplicationEventKind,
    time = new Date(),
  ): Promise<ApplicationEvent> {
    // A continuation, not an async function: one layer fewer on the path of every relayed event.
    return tx.events.append(applicationId, kind, time).then((event) => {
      tx.afterCommit(() => this.appended(event));
      return event;
    });
  }

  /** Tells the watchers and listeners of a committed event. */
  private appended(event: ApplicationEvent): void {
    this.appends++;
    this.lastReads.delete(event.applicationId);
    this.notifier.notify(event.applicationId);
    for (const listener of this.listeners) listener(event);
  }

  /**
   * Another replica committed events of the application (`*`: of any application, after its
   * wake-ups may have been missed): its watchers here read on from their cursors.
   */
  remoteChange(applicationId: string): void {
    this.appends++;
    if (applicationId === '*') {
      this.lastReads.clear();
      this.notifier.notifyAll();
      return;
    }
    this.lastReads.delete(applicationId);
    this.notifier.notify(applicationId);
  }

  /** Calls `listener` with every committed event appended by this process: a listener must not throw. */
  onAppended(listener: (event: ApplicationEvent) => void): void {
    this.listeners.push(listener);
  }

  /** How many watchers of the application wait for new events now. */
  waitingWatchers(applicationId: string): number {
    return this.notifier.waiting(applicationId);
  }

  /**
   * Yields the application's stored events after the cursor, then, when following, each new one
   * until the application's terminal event was yielded. NOT_FOUND for an unknown application and
   * OUT_OF_RANGE for a cursor past its newest event or older than what retention kept (naming the
   * oldest event still available), both before the first event; OUT_OF_RANGE also when retention
   * drops the events a watch was about to read.
   */
  async watch(watch: ApplicationEventWatch): Promise<AsyncIterable<ApplicationEvent>> {
    const application = await this.applications.get(watch.applicationId);
    if (watch.afterSequence > application.lastEventSequence) {
      throw new OutOfRangeError(
        `after_sequence ${watch.afterSequence} is past the newest event of application ${application.id} (${application.lastEventSequence})`,
      );
    }
    await this.throwIfNotKept(watch.applicationId, watch.afterSequence);
    return this.read(watch);
  }

  /** OUT_OF_RANGE when the event after `afterSequence` is older than the oldest one retention kept. */
  private async throwIfNotKept(applicationId: string, afterSequence: number): Promise<void> {
    const { firstKeptSequence, compactedAt } = await this.events.kept(applicationId);
    if (afterSequence + 1 >= firstKeptSequence) return;
    const when = compactedAt ? ` on ${compactedAt.toISOString()}` : '';
    throw new OutOfRangeError(
      `after_sequence ${afterSequence} is older than what application ${applicationId} keeps: retention compacted its events${when}; ` +
        `the oldest event still available is ${firstKeptSequence} (watch with after_sequence ${firstKeptSequence - 1} or more)`,
    );
  }

  /**
   * The events after `cursor` as the store has them now: the last read of the application when it
   * was from the same cursor (no event was appended since, or it would be gone), else a new one.
   */
  private readAfter(applicationId: string, cursor: number): Promise<SharedRead> {
    const last = this.lastReads.get(applicationId);
    if (last?.after === cursor) return last.read;
    const read = this.events
      .read(applicationId, cursor, READ_BATCH)
      .then((events): SharedRead => ({ after: cursor, events }));
    this.lastReads.set(applicationId, { after: cursor, read });
    // A failed read is not shared: the next reader tries again.
    void read.catch(() => {
      if (this.lastReads.get(applicationId)?.read === read) this.lastReads.delete(applicationId);
    });
    return read;
  }

  /** Whether the application has ended; one status read for all the readers that share `read` (dropped if it fails). */
  private endedRead(read: SharedRead, applicationId: string): Promise<boolean> {
    read.endedRead ??= this.applications.get(applicationId).then(
      (application) => isTerminalApplicationStatus(application.status),
      (error: unknown) => {
        read.endedRead = undefined;
        throw error;
      },
    );
    return read.endedRead;
  }

  /** Whether the application still has no event after the read's cursor, read after its status said ended; one read for all the readers that share `read`. */
  private nothingAfterEnd(read: SharedRead, applicationId: string): Promise<boolean> {
    read.nothingAfterEnd ??= this.events.read(applicationId, read.after, 1).then(
      (events) => events.length === 0,
      (error: unknown) => {
        read.nothingAfterEnd = undefined;
        throw error;
      },
    );
    return read.nothingAfterEnd;
  }

  /** Resolves once what `read` holds is on disk; one wait for all the readers that share it. */
  private durableRead(read: SharedRead, durable: () => Promise<void>): Promise<void> {
    read.durable ??= durable().catch((error: unknown) => {
      read.durable = undefined;
      throw error;
    });
    return read.durable;
  }

  /**
   * One generator for the whole watch (every layer of generators re-yields each event, once per
   * watcher), with one subscription to the application's wake-ups for its whole life.
   */
  private async *read({
    applicationId,
    afterSequence,
    follow,
    signal,
  }: ApplicationEventWatch): AsyncGenerator<ApplicationEvent, void, undefined> {
    this.readers.set(applicationId, (this.readers.get(applicationId) ?? 0) + 1);
    let wakeUps: KeyedSubscription | undefined;
    try {
      let cursor = afterSequence;
      for (;;) {
        if (signal) throwIfAborted(signal);
        const appends = this.appends;
        const read = await this.readAfter(applicationId, cursor);
        const batch = read.events;
        if (batch.length > 0) {
          // Retention dropped events after the cursor while this watch was reading.
          if (batch[0].sequence > cursor + 1) await this.throwIfNotKept(applicationId, cursor);
          if (this.durable) await this.durableRead(read, this.durable);
          for (const event of batch) {
            yield event;
            cursor = event.sequence;
            // The terminal status event is an application's last (ApplicationLifecycle): a follower
            // can end here without asking the store, which matters when many watch one application.
            if (follow && isTerminalStatusEvent(event)) return;
          }
          continue;
        }
        // Nothing after the cursor when the read began (a shared read is as good as a new one: an
        // append would have dropped it). When nothing was appended since, the status read agrees with
        // it, and the wait below starts in the same turn as that check, so no event slips in unseen;
        // otherwise the events are read again.
        if (!follow) return;
        wakeUps ??= this.notifier.subscribe(applicationId, signal);
        const ended = read.ended ?? (await this.endedRead(read, applicationId));
        if (this.appends !== appends) continue;
        read.ended = ended;
        if (ended) {
          // The status and the terminal event commit together, but this process may hear of the
          // commit (appends) after the status read saw it (PostgreSQL answers each on its own
          // connection): the events are read once more, and a follower ends only on its terminal
          // event, or when nothing is stored after its cursor even now.
          if (await this.nothingAfterEnd(read, applicationId)) return;
          this.lastReads.delete(applicationId);
          continue;
        }
        await wakeUps.next();
      }
    } finally {
      wakeUps?.close();
      const left = (this.readers.get(applicationId) ?? 1) - 1;
      if (left > 0) this.readers.set(applicationId, left);
      else {
        this.readers.delete(applicationId);
        this.lastReads.delete(applicationId);
      }
    }
  }
}

/** Whether `event` moved its application to a terminal status. */
function isTerminalStatusEvent(event: ApplicationEvent): boolean {
  return event.kind.type === 'applicationStatusChanged' && isTerminalApplicationStatus(event.kind.status);
}
