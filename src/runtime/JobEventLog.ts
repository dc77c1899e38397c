/**
 * A cluster's job event log, kept in memory and bounded: the newest `capacity` events stay, older
 * ones drop out. Watchers read by cursor (the last sequence they saw), never from a queue of their
 * own, so a replay that overlaps live appends yields every event once, in order, without gaps, and
 * a slow watcher costs no memory; one that falls behind the retained window is told so
 * (OUT_OF_RANGE) instead of silently missing events. The Dispatcher and the simulated deployment
 * target's job manager both keep one.
 */
import { throwIfAborted } from 'abort-controller-x';
import { OutOfRangeError } from '../common/errors.js';
import { ChangeNotifier } from '../common/ChangeNotifier.js';
import type { DispatcherEventKind, JobEvent, JobEventKind } from './JobEvent.js';

/** What a watch asks for. */
export interface JobEventWatch {
  /** Yield events whose sequence is greater than this; 0 yields from the first. */
  afterSequence: number;
  /** Only the events of this job, when set. */
  jobId?: string;
  /** Keep yielding new events (true) or stop after those already recorded (false). */
  follow: boolean;
  /** A followed watch also stops, once every recorded event was yielded, when this returns true. */
  until?: () => boolean;
  /** Aborting it ends the watch with an AbortError. */
  signal?: AbortSignal;
}

/** The event log of one cluster, of events of `Kind`. */
export class JobEventLog<Kind extends DispatcherEventKind = JobEventKind> {
  private readonly events: (JobEvent<Kind> | undefined)[];
  private newest = 0;
  private readonly jobSequences = new Map<string, number>();
  private readonly changed = new ChangeNotifier();

  /** Keeps the newest `capacity` events. */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.events = new Array<JobEvent<Kind> | undefined>(capacity);
  }

  /** The sequence of the newest event; 0 before the first. */
  get newestSequence(): number {
    return this.newest;
  }

  /** The sequence of the oldest event still kept; 1 until the log wraps. */
  get oldestSequence(): number {
    return Math.max(1, this.newest - this.capacity + 1);
  }

  /** How many watchers wait for new events now. */
  get waitingWatchers(): number {
    return this.changed.waiting;
  }

  /** Records an event of `jobId`, numbering it, and wakes the watchers. */
  append(jobId: string, applicationId: string, kind: Kind, time = new Date()): JobEvent<Kind> {
    const sequence = ++this.newest;
    const jobSequence = (this.jobSequences.get(jobId) ?? 0) + 1;
    this.jobSequences.set(jobId, jobSequence);
    const event: JobEvent<Kind> = { sequence, jobSequence, time, applicationId, jobId, kind };
    this.events[(sequence - 1) % this.capacity] = event;
    this.changed.notify();
    return event;
  }

  /** Forgets the per-job numbering of a job that is gone (its events age out on their own). */
  forgetJob(jobId: string): void {
    this.jobSequences.delete(jobId);
  }

  /**
   * Yields the recorded events after `afterSequence` (of one job, when asked), then, when following,
   * each new one as it is appended. A cursor older than what is kept, or a watcher that falls that
   * far behind, is OUT_OF_RANGE naming the oldest kept sequence; a cursor past the newest event too.
   */
  async *watch({
    afterSequence,
    jobId,
    follow,
    until,
    signal,
  }: JobEventWatch): AsyncGenerator<JobEvent<Kind>, void, undefined> {
    if (afterSequence > this.newest) {
      throw new OutOfRangeError(
        `after_sequence ${afterSequence} is past the newest event of this cluster (${this.newest})`,
      );
    }
    let cursor = afterSequence;
    for (;;) {
      if (signal) throwIfAborted(signal);
      while (cursor < this.newest) {
        this.checkRetained(cursor);
        const event = this.events[cursor % this.capacity]!;
        cursor++;
        if (jobId === undefined || event.jobId === jobId) yield event;
      }
      if (!follow || until?.()) return;
      await this.changed.wait(signal);
    }
  }

  private checkRetained(cursor: number): void {
    const oldest = this.oldestSequence;
    if (cursor + 1 < oldest) {
      throw new OutOfRangeError(
        `events after sequence ${cursor} are no longer kept (this cluster keeps its newest ${this.capacity} events); ` +
          `the oldest kept event is ${oldest}: watch again with after_sequence ${oldest - 1} or later`,
      );
    }
  }
}
