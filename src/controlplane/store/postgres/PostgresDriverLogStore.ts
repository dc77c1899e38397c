/**
 * The `driver_log` table: the PostgreSQL {@link DriverLogStore}. An append locks the application's
 * row (`FOR UPDATE`), checks the source offset, inserts its rows and moves the offsets in one
 * transaction: a second copy of the same log, on this replica or another, waits and is then refused
 * because the offset moved. Each append and completion sends the NOTIFY that wakes other
 * replicas' readers at commit (remoteChanges.ts).
 */
import { FailedPreconditionError, NotFoundError } from '../../../common/errors.js';
import type {
  DriverLogPiece,
  DriverLogPosition,
  DriverLogStore,
  DriverLogStream,
  DriverLogWrite,
} from '../DriverLogStore.js';
import { joinDriverLogWrites, piecesFrom } from '../driverLogRows.js';
import type { PostgresAccess } from './PostgresAccess.js';
import { CHANGES_CHANNEL, changePayload } from './remoteChanges.js';

interface PositionRow {
  driver_log_source_offset: number;
  driver_log_end_offset: number;
  driver_log_first_kept_offset: number;
  driver_log_completed_at: Date | null;
  compacted_at: Date | null;
}

interface PieceRow {
  log_offset: number;
  data: Buffer;
  stream: DriverLogStream;
  time: Date;
}

/** The driver logs of every application. */
export class PostgresDriverLogStore implements DriverLogStore {
  constructor(
    private readonly access: PostgresAccess,
    /** This store's name in the notifications that wake other replicas' readers. */
    private readonly origin: string,
  ) {}

  position(applicationId: string): Promise<DriverLogPosition> {
    return positionOf(this.access, applicationId, '');
  }

  append(
    applicationId: string,
    fromSourceOffset: number,
    toSourceOffset: number,
    writes: readonly DriverLogWrite[],
    time = new Date(),
  ): Promise<number> {
    return this.access.atomic(async (access) => {
      const position = await positionOf(access, applicationId, 'FOR UPDATE');
      if (position.sourceOffset !== fromSourceOffset) {
        throw new FailedPreconditionError(
          `the driver log copy of application ${applicationId} is at source offset ${position.sourceOffset}, not ${fromSourceOffset}`,
        );
      }
      await this.notify(access, applicationId);
      return appendRows(access, applicationId, position.endOffset, toSourceOffset, writes, time);
    });
  }

  complete(applicationId: string, notes: readonly DriverLogWrite[] = [], time = new Date()): Promise<void> {
    return this.access.atomic(async (access) => {
      const position = await positionOf(access, applicationId, 'FOR UPDATE');
      if (position.completedAt) return;
      if (notes.length > 0)
        await appendRows(access, applicationId, position.endOffset, position.sourceOffset, notes, time);
      await access.query('UPDATE applications SET driver_log_completed_at = $2 WHERE id = $1', [applicationId, time]);
      await this.notify(access, applicationId);
    });
  }

  /** Wakes other replicas' readers of the log once the transaction commits. */
  private async notify(access: PostgresAccess, applicationId: string): Promise<void> {
    await access.query(`SELECT pg_notify('${CHANGES_CHANNEL}', $1)`, [
      changePayload('driverLog', this.origin, applicationId),
    ]);
  }

  async read(applicationId: string, offset: number, limit: number): Promise<DriverLogPiece[]> {
    const { rows } = await this.access.query<PieceRow>(
      `SELECT log_offset, data, stream, time FROM driver_log
       WHERE application_id = $1
         AND log_offset >= COALESCE(
           (SELECT log_offset FROM driver_log WHERE application_id = $1 AND log_offset <= $2 ORDER BY log_offset DESC LIMIT 1),
           $2)
       ORDER BY log_offset LIMIT $3`,
      [applicationId, offset, limit],
    );
    const pieces = rows.map((row) => ({
      offset: row.log_offset,
      data: row.data,
      stream: row.stream,
      time: row.time,
      nextOffset: row.log_offset + row.data.byteLength,
    }));
    return piecesFrom(pieces, offset);
  }

  async incompleteCopies(): Promise<string[]> {
    const { rows } = await this.access.query<{ id: string }>(
      "SELECT id FROM applications WHERE driver_job_id <> '' AND driver_log_completed_at IS NULL ORDER BY ordinal",
    );
    return rows.map((row) => row.id);
  }
}

/** Where the application's log stands, read with `lock` (`FOR UPDATE` or nothing); NOT_FOUND for an unknown application. */
async function positionOf(access: PostgresAccess, applicationId: string, lock: string): Promise<DriverLogPosition> {
  const { rows } = await access.query<PositionRow>(
    `SELECT driver_log_source_offset, driver_log_end_offset, driver_log_first_kept_offset, driver_log_completed_at, compacted_at
     FROM applications WHERE id = $1 ${lock}`,
    [applicationId],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`application ${JSON.stringify(applicationId)} is not known to this control plane`);
  const position: DriverLogPosition = {
    sourceOffset: row.driver_log_source_offset,
    endOffset: row.driver_log_end_offset,
    firstKeptOffset: row.driver_log_first_kept_offset,
  };
  if (row.driver_log_completed_at !== null) position.completedAt = row.driver_log_completed_at;
  if (row.compacted_at !== null) position.compactedAt = row.compacted_at;
  return position;
}

/** Inserts `writes` as rows from `endOffset` on and moves the offsets; resolves to the new end offset. */
async function appendRows(
  access: PostgresAccess,
  applicationId: string,
  endOffset: number,
  toSourceOffset: number,
  writes: readonly DriverLogWrite[],
  time: Date,
): Promise<number> {
  const rows = joinDriverLogWrites(writes);
  const offsets: number[] = [];
  let offset = endOffset;
  for (const row of rows) {
    offsets.push(offset);
    offset += row.data.byteLength;
  }
  if (rows.length > 0) {
    await access.query(
      `INSERT INTO driver_log (application_id, log_offset, stream, time, data)
       SELECT $1, log_offset, stream, $2, data FROM unnest($3::bigint[], $4::text[], $5::bytea[]) AS row (log_offset, stream, data)`,
      [applicationId, time, offsets, rows.map((row) => row.stream), rows.map((row) => row.data)],
    );
  }
  await access.query(
    'UPDATE applications SET driver_log_source_offset = $2, driver_log_end_offset = $3 WHERE id = $1',
    [applicationId, toSourceOffset, offset],
  );
  return offset;
}
