/**
 * The `application_events` table: the PostgreSQL {@link ApplicationEventStore}. One statement moves
 * the application's `last_event_sequence` and inserts the event under the new value: the update
 * takes the application's row lock until the transaction ends, so concurrent appends to one
 * application (from any replica) get consecutive sequences in commit order, and a rolled-back
 * transaction takes its sequence back with it. The same statement sends the NOTIFY that wakes
 * other replicas' watchers at commit (remoteChanges.ts).
 */
import type { ApplicationEvent, ApplicationEventKind } from '../../model/ApplicationEvent.js';
import type { ApplicationEventStore, KeptEvents } from '../ApplicationEventStore.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { CHANGES_CHANNEL, changePayload } from './remoteChanges.js';

interface EventRow {
  application_id: string;
  sequence: number;
  time: Date;
  event_json: string;
}

/** The event logs of every application. */
export class PostgresApplicationEventStore implements ApplicationEventStore {
  constructor(
    private readonly access: PostgresAccess,
    /** This store's name in the notifications that wake other replicas' watchers. */
    private readonly origin: string,
  ) {}

  async append(applicationId: string, kind: ApplicationEventKind, time = new Date()): Promise<ApplicationEvent> {
    const { rows } = await this.access.query<{ sequence: number }>(
      `WITH moved AS (
         UPDATE applications SET last_event_sequence = last_event_sequence + 1 WHERE id = $1 RETURNING last_event_sequence)
       , inserted AS (
         INSERT INTO application_events (application_id, sequence, time, type, event_json)
           SELECT $1, last_event_sequence, $2, $3, $4 FROM moved
         RETURNING sequence)
       SELECT sequence, pg_notify('${CHANGES_CHANNEL}', $5) FROM inserted`,
      [applicationId, time, kind.type, JSON.stringify(kind), changePayload('events', this.origin, applicationId)],
    );
    if (rows.length === 0) throw new Error(`cannot append an event to unknown application ${applicationId}`);
    return { applicationId, sequence: rows[0].sequence, time, kind };
  }

  async read(applicationId: string, afterSequence: number, limit: number): Promise<ApplicationEvent[]> {
    const { rows } = await this.access.query<EventRow>(
      'SELECT application_id, sequence, time, event_json FROM application_events WHERE application_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3',
      [applicationId, afterSequence, limit],
    );
    return rows.map((row) => ({
      applicationId: row.application_id,
      sequence: row.sequence,
      time: row.time,
      kind: JSON.parse(row.event_json) as ApplicationEventKind,
    }));
  }

  async kept(applicationId: string): Promise<KeptEvents> {
    const { rows } = await this.access.query<{ first_kept_sequence: number; compacted_at: Date | null }>(
      'SELECT first_kept_sequence, compacted_at FROM applications WHERE id = $1',
      [applicationId],
    );
    const row = rows[0];
    if (!row) return { firstKeptSequence: 1 };
    return row.compacted_at === null
      ? { firstKeptSequence: row.first_kept_sequence }
      : { firstKeptSequence: row.first_kept_sequence, compactedAt: row.compacted_at };
  }

  async readOfType<T extends ApplicationEventKind['type']>(
    applicationId: string,
    type: T,
  ): Promise<Extract<ApplicationEventKind, { type: T }>[]> {
    const { rows } = await this.access.query<{ event_json: string }>(
      'SELECT event_json FROM application_events WHERE application_id = $1 AND type = $2 ORDER BY sequence',
      [applicationId, type],
    );
    return rows.map((row) => JSON.parse(row.event_json) as Extract<ApplicationEventKind, { type: T }>);
  }
}
