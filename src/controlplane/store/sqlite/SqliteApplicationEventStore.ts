/**
 * The `application_events` table: the SQLite {@link ApplicationEventStore}. An event's sequence
 * comes from its application's `last_event_sequence`, moved by the same statement that reads it,
 * in the transaction that stores the event; the kept application row moves along.
 */
import type { Application } from '../../model/Application.js';
import type { ApplicationEvent, ApplicationEventKind } from '../../model/ApplicationEvent.js';
import type { ApplicationEventStore, KeptEvents } from '../ApplicationEventStore.js';
import type { KeptRows } from './KeptRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface EventRow {
  application_id: string;
  sequence: number;
  time: number;
  event_json: string;
}

/** The event logs of every application. */
export class SqliteApplicationEventStore implements ApplicationEventStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
    private readonly applications: KeptRows<Application>,
  ) {}

  /**
   * Its two statements are one transaction; inside a unit of work they add no savepoint of their
   * own (a relayed event's third, about 1 µs of SQLite each): an error leaves this method, and the
   * unit or savepoint, rolled back as a whole, takes the sequence back with it.
   */
  append(applicationId: string, kind: ApplicationEventKind, time = new Date()): Promise<ApplicationEvent> {
    return this.access.write(() =>
      this.db.inTransaction
        ? this.write(applicationId, kind, time)
        : this.db.transaction(() => this.write(applicationId, kind, time))(),
    );
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
    const sequence = row.sequence;
    this.applications.update(applicationId, (application) => ({ ...application, lastEventSequence: sequence }));
    return { applicationId, sequence, time, kind };
  }

  read(applicationId: string, afterSequence: number, limit: number): Promise<ApplicationEvent[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare('SELECT * FROM application_events WHERE application_id = ? AND sequence > ? ORDER BY sequence LIMIT ?')
        .all(applicationId, afterSequence, limit) as EventRow[];
      return rows.map((row) => ({
        applicationId: row.application_id,
        sequence: row.sequence,
        time: new Date(row.time),
        kind: JSON.parse(row.event_json) as ApplicationEventKind,
      }));
    });
  }

  kept(applicationId: string): Promise<KeptEvents> {
    return this.access.read(() => {
      const row = this.db
        .prepare('SELECT first_kept_sequence, compacted_at FROM applications WHERE id = ?')
        .get(applicationId) as { first_kept_sequence: number; compacted_at: number | null } | undefined;
      if (!row) return { firstKeptSequence: 1 };
      return row.compacted_at === null
        ? { firstKeptSequence: row.first_kept_sequence }
        : { firstKeptSequence: row.first_kept_sequence, compactedAt: new Date(row.compacted_at) };
    });
  }

  readOfType<T extends ApplicationEventKind['type']>(
    applicationId: string,
    type: T,
  ): Promise<Extract<ApplicationEventKind, { type: T }>[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare('SELECT event_json FROM application_events WHERE application_id = ? AND type = ? ORDER BY sequence')
        .all(applicationId, type) as { event_json: string }[];
      return rows.map((row) => JSON.parse(row.event_json) as Extract<ApplicationEventKind, { type: T }>);
    });
  }
}
