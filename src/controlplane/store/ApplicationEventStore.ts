/**
 * Each application's event log, as a port. An event gets the next sequence of its application
 * (from 1, without gaps) in the same transaction that stores it and moves the application's
 * `lastEventSequence`, so a reader by cursor never sees a gap or a reordering, and a rolled-back
 * transaction takes its sequence back with it.
 */
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';

/** Where an application's event log starts after retention. */
export interface KeptEvents {
  /** The oldest sequence the application still keeps (1 until retention compacts it). */
  firstKeptSequence: number;
  /** When retention compacted the application, if it did. */
  compactedAt?: Date;
}

/** The event logs of every application. */
export interface ApplicationEventStore {
  /** Stores an event as the next one of its application and returns it with its sequence. */
  append(applicationId: string, kind: ApplicationEventKind, time?: Date): Promise<ApplicationEvent>;
  /** Up to `limit` events of the application with a sequence greater than `afterSequence`, in order. */
  read(applicationId: string, afterSequence: number, limit: number): Promise<ApplicationEvent[]>;
  /** Where the application's log starts (sequence 1, never compacted, for an unknown application). */
  kept(applicationId: string): Promise<KeptEvents>;
  /** Every event of one type of the application, in order (for rebuilding what the control plane knows after a restart). */
  readOfType<T extends ApplicationEventKind['type']>(
    applicationId: string,
    type: T,
  ): Promise<Extract<ApplicationEventKind, { type: T }>[]>;
}
