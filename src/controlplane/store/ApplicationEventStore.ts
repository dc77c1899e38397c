/**
 * The `application_events` table: each application's event log. An event gets the next sequence of
 * its application (from 1, without gaps) in the same transaction that stores it and moves the
 * application's `last_event_sequence`, so a reader by cursor never sees a gap or a reordering.
 */
import type { ApplicationEvent, ApplicationEventKind } from '../model/ApplicationEvent.js';
import type { StateDatabase } from './stateDatabase.js';

interface EventRow {
  application_id: string;
  sequence: number;
  time: number;
  event_json: string;
}

/** The event logs of every application. */
export class ApplicationEventStore {
  constructor(private readonly db: StateDatabase) {}

  /**
   * Stores an event as the next one of its application and returns it with its sequence. Its two
   * statements are one transaction; inside the caller's transaction they add no savepoint of their
   * own (a relayed event's third, about 1 µs of SQLite each): an error leaves this method, and the
   * caller's transaction or savepoint, rolled back as a whole, takes the sequence back with it.
   */
  append(applicationId: string, kind: ApplicationEventKind, time = new Date()): ApplicationEvent {
    return this.db.inTransaction
      ? this.write(applicationId, kind, time)
      : this.db.transaction(() => this.write(applicationId, kind, time))();
  }

  private write(applicationId: string, kind: ApplicationEventKind, time: Date): ApplicationEvent {
    const row = this.db
      .prepare(
        'UPDATE applications SET last_event_sequence = last_event_sequence + 1 WHERE id = ? RETURNING last_event_sequence AS sequence',
      )
      .get(applicationId) as { sequence: number } | undefined;
    if (!row) throw new Error(`cannot append an event to unknown application ${applicationId}`);
    this.db
      .prepare(
        'INSERT INTO application_events (application_id, sequence, time, type, event_json) VALUES (?, ?, ?, ?, ?)',
      )
      .run(applicationId, row.sequence, time.getTime(), kind.type, JSON.stringify(kind));
    return { applicationId, sequence: row.sequence, time, kind };
  }

  /** Up to `limit` events of the application with a sequence greater than `afterSequence`, in order. */
  read(applicationId: string, afterSequence: number, limit: number): ApplicationEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM application_events WHERE application_id = ? AND sequence > ? ORDER BY sequence LIMIT ?')
      .all(applicationId, afterSequence, limit) as EventRow[];
    return rows.map((row) => ({
      applicationId: row.application_id,
      sequence: row.sequence,
      time: new Date(row.time),
      kind: JSON.parse(row.event_json) as ApplicationEventKind,
    }));
  }

  /** The oldest sequence the application still keeps (1 until retention compacts it), and when it was compacted. */
  kept(applicationId: string): { firstKeptSequence: number; compactedAt?: Date } {
    const row = this.db
      .prepare('SELECT first_kept_sequence, compacted_at FROM applications WHERE id = ?')
      .get(applicationId) as { first_kept_sequence: number; compacted_at: number | null } | undefined;
    if (!row) return { firstKeptSequence: 1 };
    return row.compacted_at === null
      ? { firstKeptSequence: row.first_kept_sequence }
      : { firstKeptSequence: row.first_kept_sequence, compactedAt: new Date(row.compacted_at) };
  }

  /** Every event of one type of the application, in order (for rebuilding what the control plane knows after a restart). */
  readOfType<T extends ApplicationEventKind['type']>(
    applicationId: string,
    type: T,
  ): Extract<ApplicationEventKind, { type: T }>[] {
    const rows = this.db
      .prepare('SELECT event_json FROM application_events WHERE application_id = ? AND type = ? ORDER BY sequence')
      .all(applicationId, type) as { event_json: string }[];
    return rows.map((row) => JSON.parse(row.event_json));
  }
}
