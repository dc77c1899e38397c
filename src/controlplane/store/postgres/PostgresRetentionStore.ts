/**
 * Compaction in the PostgreSQL state database: the {@link RetentionStore}. One compaction is one
 * transaction that first locks the application's row, so two replicas compacting the same
 * application at once do it once (the second finds it compacted).
 */
import type { Compaction, RetentionLimits, RetentionStore } from '../RetentionStore.js';
import type { PostgresAccess } from './PostgresAccess.js';

/** Retention's reads and writes of applications, their events and their driver logs. */
export class PostgresRetentionStore implements RetentionStore {
  constructor(private readonly access: PostgresAccess) {}

  async due(limits: RetentionLimits, limit: number): Promise<string[]> {
    if (limits.endedBefore === undefined && limits.keepNewest === undefined) return [];
    const { rows } = await this.access.query<{ id: string }>(
      `SELECT id FROM applications
       WHERE ended_at IS NOT NULL AND compacted_at IS NULL
         AND status IN ('FAILED', 'CANCELED', 'FINISHED')
         AND NOT (driver_job_id <> '' AND driver_log_completed_at IS NULL)
         AND (($1::timestamptz IS NOT NULL AND ended_at < $1::timestamptz)
           OR ($2::bigint IS NOT NULL AND ordinal IN (
                SELECT ordinal FROM applications WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, ordinal DESC OFFSET $2::bigint)))
       ORDER BY ended_at, ordinal
       LIMIT $3`,
      [limits.endedBefore ?? null, limits.keepNewest ?? null, limit],
    );
    return rows.map((row) => row.id);
  }

  compact(applicationId: string, logTailBytes: number, now = new Date()): Promise<Compaction | undefined> {
    return this.access.atomic(async (access): Promise<Compaction | undefined> => {
      const { rows } = await access.query<{ last_event_sequence: number; driver_log_end_offset: number }>(
        'SELECT last_event_sequence, driver_log_end_offset FROM applications WHERE id = $1 AND ended_at IS NOT NULL AND compacted_at IS NULL FOR UPDATE',
        [applicationId],
      );
      const application = rows[0];
      if (!application) return undefined;
      const firstKeptSequence = Math.max(application.last_event_sequence, 1);
      const events = await access.query('DELETE FROM application_events WHERE application_id = $1 AND sequence < $2', [
        applicationId,
        firstKeptSequence,
      ]);
      // The newest pieces that fit in the tail together: sizes summed from the newest back.
      const tail = await access.query<{ first_kept_offset: number }>(
        `SELECT COALESCE(MIN(log_offset) FILTER (WHERE newer_bytes <= $2), $3::bigint) AS first_kept_offset
         FROM (SELECT log_offset, SUM(octet_length(data)) OVER (ORDER BY log_offset DESC) AS newer_bytes
               FROM driver_log WHERE application_id = $1) AS pieces`,
        [applicationId, logTailBytes, application.driver_log_end_offset],
      );
      const firstKeptOffset = tail.rows[0].first_kept_offset;
      const dropped = await access.query<{ bytes: number }>(
        `WITH gone AS (DELETE FROM driver_log WHERE application_id = $1 AND log_offset < $2 RETURNING octet_length(data) AS size)
         SELECT COALESCE(SUM(size), 0)::bigint AS bytes FROM gone`,
        [applicationId, firstKeptOffset],
      );
      await access.query(
        'UPDATE applications SET first_kept_sequence = $2, driver_log_first_kept_offset = GREATEST(driver_log_first_kept_offset, $3), compacted_at = $4 WHERE id = $1',
        [applicationId, firstKeptSequence, firstKeptOffset, now],
      );
      return {
        applicationId,
        eventsDropped: events.rowCount ?? 0,
        logBytesDropped: dropped.rows[0].bytes,
        firstKeptSequence,
        firstKeptOffset,
      };
    });
  }
}
