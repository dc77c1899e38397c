/**
 * Applications' event logs: an event is stored (SQLite, fsynced) before any watcher is woken, and
 * watchers read by cursor from the store, never from a queue of their own. So a watch that replays
 * stored events and then follows live ones sees every event once, in order, without gaps, also
 * across the switch from replay to live, and a slow watcher costs no memory.
 */
import { throwIfAborted } from 'abort-controller-x';
import { OutOfRangeError } from '../../common/errors.js';
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationEventStore } from '../store/ApplicationEventStore.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import { KeyedNotifier } from './KeyedNotifier.js';

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

/** Appends to and watches the event logs of all applications. */
export class ApplicationEventLog {
  private readonly notifier = new KeyedNotifier();
  private readonly listeners: Array<(event: ApplicationEvent) => void> = [];

  constructor(
    private readonly events: ApplicationEventStore,
    private readonly applications: ApplicationStore,
  ) {}

  /** Stores the event as the application's next one, then wakes its watchers; returns it with its sequence. */
  append(applicationId: string, kind: ApplicationEventKind, time = new Date()): ApplicationEvent {
    const event = this.events.append(applicationId, kind, time);
    this.notifier.notify(applicationId);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /**
   * Calls `listener` with every event once it is stored, possibly inside the transaction that
   * stores it: a listener must not throw, and defers work that reads the store until after it.
   */
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
  watch(watch: ApplicationEventWatch): AsyncIterable<ApplicationEvent> {
    const application = this.applications.get(watch.applicationId);
    if (watch.afterSequence > application.lastEventSequence) {
      throw new OutOfRangeError(
        `after_sequence ${watch.afterSequence} is past the newest event of application ${application.id} (${application.lastEventSequence})`,
      );
    }
    this.throwIfNotKept(watch.applicationId, watch.afterSequence);
    return this.read(watch);
  }

  /** OUT_OF_RANGE when the event after `afterSequence` is older than the oldest one retention kept. */
  private throwIfNotKept(applicationId: string, afterSequence: number): void {
    const { firstKeptSequence, compactedAt } = this.events.kept(applicationId);
    if (afterSequence + 1 >= firstKeptSequence) return;
    const when = compactedAt ? ` on ${compactedAt.toISOString()}` : '';
    throw new OutOfRangeError(
      `after_sequence ${afterSequence} is older than what application ${applicationId} keeps: retention compacted its events${when}; ` +
        `the oldest event still available is ${firstKeptSequence} (watch with after_sequence ${firstKeptSequence - 1} or more)`,
    );
  }

  private async *read({ applicationId, afterSequence, follow, signal }: ApplicationEventWatch): AsyncGenerator<ApplicationEvent, void, undefined> {
    let cursor = afterSequence;
    for (;;) {
      if (signal) throwIfAborted(signal);
      const batch = this.events.read(applicationId, cursor, READ_BATCH);
      if (batch.length > 0) {
        // Retention dropped events after the cursor while this watch was reading.
        if (batch[0].sequence > cursor + 1) this.throwIfNotKept(applicationId, cursor);
        for (const event of batch) {
          yield event;
          cursor = event.sequence;
        }
        continue;
      }
      // Nothing after the cursor at this instant; the status read and the wait below happen in the
      // same turn as that read, so no event can slip in between unseen.
      if (!follow || isTerminalApplicationStatus(this.applications.get(applicationId).status)) return;
      await this.notifier.wait(applicationId, signal);
    }
  }
}
