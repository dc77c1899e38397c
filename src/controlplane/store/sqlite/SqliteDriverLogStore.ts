/**
 * The `driver_log` table: the SQLite {@link DriverLogStore}. Rows are appended together with the
 * application's `driver_log_source_offset` in one transaction (a savepoint inside a unit of work).
 */
import { FailedPreconditionError, NotFoundError } from '../../../common/errors.js';
import {
  type DriverLogPiece,
  type DriverLogPosition,
  type DriverLogStore,
  type DriverLogStream,
  type DriverLogWrite,
} from '../DriverLogStore.js';
import { joinDriverLogWrites, piecesFrom } from '../driverLogRows.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface PositionRow {
  driver_log_source_offset: number;
  driver_log_source_job_id: string;
  driver_log_end_offset: number;
  driver_log_first_kept_offset: number;
  driver_log_completed_at: number | null;
  compacted_at: number | null;
}

interface PieceRow {
  offset: number;
  data: Buffer;
  stream: DriverLogStream;
  time: number;
}

/** The driver logs of every application. */
export class SqliteDriverLogStore implements DriverLogStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
  ) {}

  position(applicationId: string): Promise<DriverLogPosition> {
    return this.access.read(() => this.positionNow(applicationId));
  }

  append(
    applicationId: string,
    fromSourceOffset: number,
    toSourceOffset: number,
    writes: readonly DriverLogWrite[],
    time = new Date(),
  ): Promise<number> {
    return this.access.write(() => this.appendNow(applicationId, fromSourceOffset, toSourceOffset, writes, time));
  }

  complete(applicationId: string, notes: readonly DriverLogWrite[] = [], time = new Date()): Promise<void> {
    return this.access.write(() =>
      this.db.transaction(() => {
        const position = this.positionNow(applicationId);
        if (position.completedAt) return;
        if (notes.length > 0) this.appendNow(applicationId, position.sourceOffset, position.sourceOffset, notes, time);
        this.db
          .prepare('UPDATE applications SET driver_log_completed_at = ? WHERE id = ?')
          .run(time.getTime(), applicationId);
      })(),
    );
  }

  nextSource(
    applicationId: string,
    jobId: string,
    header: readonly DriverLogWrite[],
    time = new Date(),
  ): Promise<void> {
    return this.access.write(() =>
      this.db.transaction(() => {
        const position = this.positionNow(applicationId);
        if (!position.completedAt) {
          throw new FailedPreconditionError(
            `the driver log copy of application ${applicationId} has not ended; it moves to driver job ${jobId} only after`,
          );
        }
        this.db
          .prepare(
            'UPDATE applications SET driver_log_source_job_id = ?, driver_log_source_offset = 0, driver_log_completed_at = NULL WHERE id = ?',
          )
          .run(jobId, applicationId);
        if (header.length > 0) this.appendNow(applicationId, 0, 0, header, time);
      })(),
    );
  }

  read(applicationId: string, offset: number, limit: number): Promise<DriverLogPiece[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(
          `SELECT offset, data, stream, time FROM driver_log
         WHERE application_id = @applicationId
           AND offset >= COALESCE(
             (SELECT offset FROM driver_log WHERE application_id = @applicationId AND offset <= @offset ORDER BY offset DESC LIMIT 1),
             @offset)
         ORDER BY offset LIMIT @limit`,
        )
        .all({ applicationId, offset, limit }) as PieceRow[];
      const pieces = rows.map((row) => ({
        offset: row.offset,
        data: row.data,
        stream: row.stream,
        time: new Date(row.time),
        nextOffset: row.offset + row.data.byteLength,
      }));
      return piecesFrom(pieces, offset);
    });
  }

  incompleteCopies(): Promise<string[]> {
    return this.access.read(() => {
      const rows = this.db
        .prepare(
          "SELECT id FROM applications WHERE driver_job_id != '' AND driver_log_completed_at IS NULL ORDER BY ordinal",
        )
        .all() as { id: string }[];
      return rows.map((row) => row.id);
    });
  }

  private positionNow(applicationId: string): DriverLogPosition {
    const row = this.db
      .prepare(
        'SELECT driver_log_source_offset, driver_log_source_job_id, driver_log_end_offset, driver_log_first_kept_offset, driver_log_completed_at, compacted_at FROM applications WHERE id = ?',
      )
      .get(applicationId) as PositionRow | undefined;
    if (!row)
      throw new NotFoundError(`application ${JSON.stringify(applicationId)} is not known to this control plane`);
    const position: DriverLogPosition = {
      sourceOffset: row.driver_log_source_offset,
      sourceJobId: row.driver_log_source_job_id,
      endOffset: row.driver_log_end_offset,
      firstKeptOffset: row.driver_log_first_kept_offset,
    };
    if (row.driver_log_completed_at !== null) position.completedAt = new Date(row.driver_log_completed_at);
    if (row.compacted_at !== null) position.compactedAt = new Date(row.compacted_at);
    return position;
  }

  private appendNow(
    applicationId: string,
    fromSourceOffset: number,
    toSourceOffset: number,
    writes: readonly DriverLogWrite[],
    time: Date,
  ): number {
    return this.db.transaction(() => {
      const position = this.positionNow(applicationId);
      if (position.sourceOffset !== fromSourceOffset) {
        throw new FailedPreconditionError(
          `the driver log copy of application ${applicationId} is at source offset ${position.sourceOffset}, not ${fromSourceOffset}`,
        );
      }
      const insert = this.db.prepare(
        'INSERT INTO driver_log (application_id, offset, stream, time, data) VALUES (?, ?, ?, ?, ?)',
      );
      let offset = position.endOffset;
      for (const row of joinDriverLogWrites(writes)) {
        insert.run(applicationId, offset, row.stream, time.getTime(), row.data);
        offset += row.data.byteLength;
      }
      this.db
        .prepare('UPDATE applications SET driver_log_source_offset = ?, driver_log_end_offset = ? WHERE id = ?')
        .run(toSourceOffset, offset, applicationId);
      return offset;
    })();
  }
}
