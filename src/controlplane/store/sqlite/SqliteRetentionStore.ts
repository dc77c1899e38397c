/**
 * Compaction in the state database: the SQLite {@link RetentionStore}. One compaction is one
 * transaction (a savepoint inside a unit of work).
 */
import type { Compaction, RetentionLimits, RetentionStore } from '../RetentionStore.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

/** Retention's reads and writes of applications, their events and their driver logs. */
export class SqliteRetentionStore implements RetentionStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
  ) {}

  due(limits: RetentionLimits, limit: number): Promise<string[]> {
    return this.access.read(() => this.dueNow(limits, limit));
  }

  private dueNow(limits: RetentionLimits, limit: number): string[] {
    if (limits.endedBefore === undefined && limits.keepNewest === undefined) return [];
    const rows = this.db
      .prepare(
        `SELECT id FROM applications
         WHERE ended_at IS NOT NULL AND compacted_at IS NULL
           AND status IN ('FAILED', 'CANCELED', 'FINISHED')
           AND NOT (driver_job_id != '' AND driver_log_completed_at IS NULL)
           AND ((@endedBefore IS NOT NULL AND ended_at < @endedBefore)
             OR (@keepNewest IS NOT NULL AND ordinal IN (
                  SELECT ordinal FROM applications WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, ordinal DESC LIMIT -1 OFFSET @keepNewest)))
         ORDER BY ended_at, ordinal
         LIMIT @limit`,
      )
      .all({ endedBefore: limits.endedBefore?.getTime() ?? null, keepNewest: limits.keepNewest ?? null, limit }) as {
      id: string;
    }[];
    return rows.map((row) => row.id);
  }

  compact(applicationId: string, logTailBytes: number, now = new Date()): Promise<Compaction | undefined> {
    return this.access.write(() => this.compactNow(applicationId, logTailBytes, now));
  }

  private compactNow(applicationId: string, logTailBytes: number, now: Date): Compaction | undefined {
    return this.db.transaction((): Compaction | undefined => {
      const application = this.db
        .prepare(
          `SELECT last_event_sequence, driver_log_end_offset FROM applications WHERE id = ? AND ended_at IS NOT NULL AND compacted_at IS NULL`,
        )
        .get(applicationId) as { last_event_sequence: number; driver_log_end_offset: number } | undefined;
      if (!application) return undefined;
      const firstKeptSequence = Math.max(application.last_event_sequence, 1);
      const eventsDropped = this.db
        .prepare('DELETE FROM application_events WHERE application_id = ? AND sequence < ?')
        .run(applicationId, firstKeptSequence).changes;

      let firstKeptOffset = application.driver_log_end_offset;
      let kept = 0;
      const newestFirst = this.db.prepare(
        'SELECT offset, length(data) AS size FROM driver_log WHERE application_id = ? ORDER BY offset DESC',
      );
      for (const row of newestFirst.iterate(applicationId) as IterableIterator<{ offset: number; size: number }>) {
        if (kept + row.size > logTailBytes) break;
        kept += row.size;
        firstKeptOffset = row.offset;
      }
      const { dropped } = this.db
        .prepare(
          'SELECT COALESCE(SUM(length(data)), 0) AS dropped FROM driver_log WHERE application_id = ? AND offset < ?',
        )
        .get(applicationId, firstKeptOffset) as { dropped: number };
      this.db
        .prepare('DELETE FROM driver_log WHERE application_id = ? AND offset < ?')
        .run(applicationId, firstKeptOffset);
      this.db
        .prepare(
          'UPDATE applications SET first_kept_sequence = ?, driver_log_first_kept_offset = MAX(driver_log_first_kept_offset, ?), compacted_at = ? WHERE id = ?',
        )
        .run(firstKeptSequence, firstKeptOffset, now.getTime(), applicationId);
      return { applicationId, eventsDropped, logBytesDropped: dropped, firstKeptSequence, firstKeptOffset };
    })();
  }
}
