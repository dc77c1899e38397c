/**
 * The `driver_log` table: the control plane's copy of what each application's driver wrote, by
 * byte offset of the application's own log. Rows are appended together with the application's
 * `driver_log_source_offset` (how far the copy has got in the driver job's output on its cluster)
 * in one transaction, so a copy resumed after a restart neither repeats nor skips a byte.
 */
import { FailedPreconditionError, NotFoundError } from '../../common/errors.js';
import type { StateDatabase } from './stateDatabase.js';

/** The stream a piece of driver output was written to; the SDK's logger has its own. */
export type DriverLogStream = 'STDOUT' | 'STDERR' | 'LOGGER';

/** A stored piece of an application's driver log. */
export interface DriverLogPiece {
  /** The byte offset of `data` in the application's log. */
  offset: number;
  /** Whole lines of UTF-8 text. */
  data: Buffer;
  stream: DriverLogStream;
  time: Date;
  /** The offset just past `data`. */
  nextOffset: number;
}

/** Where an application's driver log stands. */
export interface DriverLogPosition {
  /** How far the copy has got in the driver job's output on the cluster. */
  sourceOffset: number;
  /** The offset just past the newest byte of the application's log. */
  endOffset: number;
  /** The oldest offset still kept (retention drops what is older). */
  firstKeptOffset: number;
  /** When the copy ended, if it did. */
  completedAt?: Date;
  /** When retention compacted the application, if it did. */
  compactedAt?: Date;
}

/** Output to append: consecutive pieces of one stream are joined into rows of at most {@link MAX_ROW_BYTES}. */
export interface DriverLogWrite {
  stream: DriverLogStream;
  data: Uint8Array;
}

/** The largest row the store joins pieces into (a single larger piece is stored whole). */
export const MAX_ROW_BYTES = 256 * 1024;

interface PositionRow {
  driver_log_source_offset: number;
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
export class DriverLogStore {
  constructor(private readonly db: StateDatabase) {}

  /** Where the application's log stands; NOT_FOUND naming the id for an unknown application. */
  position(applicationId: string): DriverLogPosition {
    const row = this.db
      .prepare(
        'SELECT driver_log_source_offset, driver_log_end_offset, driver_log_first_kept_offset, driver_log_completed_at, compacted_at FROM applications WHERE id = ?',
      )
      .get(applicationId) as PositionRow | undefined;
    if (!row)
      throw new NotFoundError(`application ${JSON.stringify(applicationId)} is not known to this control plane`);
    const position: DriverLogPosition = {
      sourceOffset: row.driver_log_source_offset,
      endOffset: row.driver_log_end_offset,
      firstKeptOffset: row.driver_log_first_kept_offset,
    };
    if (row.driver_log_completed_at !== null) position.completedAt = new Date(row.driver_log_completed_at);
    if (row.compacted_at !== null) position.compactedAt = new Date(row.compacted_at);
    return position;
  }

  /**
   * Appends output copied from the driver job's output between `fromSourceOffset` and
   * `toSourceOffset`, and moves the source offset, in one transaction; returns the log's new end
   * offset. FAILED_PRECONDITION when the copy is not where the caller thinks (a second copy ran).
   */
  append(
    applicationId: string,
    fromSourceOffset: number,
    toSourceOffset: number,
    writes: readonly DriverLogWrite[],
    time = new Date(),
  ): number {
    return this.db.transaction(() => {
      const position = this.position(applicationId);
      if (position.sourceOffset !== fromSourceOffset) {
        throw new FailedPreconditionError(
          `the driver log copy of application ${applicationId} is at source offset ${position.sourceOffset}, not ${fromSourceOffset}`,
        );
      }
      const insert = this.db.prepare(
        'INSERT INTO driver_log (application_id, offset, stream, time, data) VALUES (?, ?, ?, ?, ?)',
      );
      let offset = position.endOffset;
      for (const row of joinRows(writes)) {
        insert.run(applicationId, offset, row.stream, time.getTime(), row.data);
        offset += row.data.byteLength;
      }
      this.db
        .prepare('UPDATE applications SET driver_log_source_offset = ?, driver_log_end_offset = ? WHERE id = ?')
        .run(toSourceOffset, offset, applicationId);
      return offset;
    })();
  }

  /**
   * Records that the copy has ended (nothing more will be appended), with `notes` (what the control
   * plane has to say about the end, such as output that could not be copied) as the log's last rows.
   */
  complete(applicationId: string, notes: readonly DriverLogWrite[] = [], time = new Date()): void {
    this.db.transaction(() => {
      const position = this.position(applicationId);
      if (position.completedAt) return;
      if (notes.length > 0) this.append(applicationId, position.sourceOffset, position.sourceOffset, notes, time);
      this.db
        .prepare('UPDATE applications SET driver_log_completed_at = ? WHERE id = ?')
        .run(time.getTime(), applicationId);
    })();
  }

  /**
   * Up to `limit` stored pieces from `offset` on, in order; the first starts at `offset` when the
   * offset points inside a row. Rows retention dropped are simply absent: the caller compares offsets.
   */
  read(applicationId: string, offset: number, limit: number): DriverLogPiece[] {
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
    const first = pieces[0];
    if (first && first.offset < offset) {
      if (first.nextOffset <= offset) pieces.shift();
      else Object.assign(first, { data: first.data.subarray(offset - first.offset), offset });
    }
    return pieces;
  }

  /** The applications whose driver job is known and whose copy has not ended, oldest first. */
  incompleteCopies(): string[] {
    const rows = this.db
      .prepare(
        "SELECT id FROM applications WHERE driver_job_id != '' AND driver_log_completed_at IS NULL ORDER BY ordinal",
      )
      .all() as { id: string }[];
    return rows.map((row) => row.id);
  }
}

/** Joins consecutive writes of the same stream into rows of at most {@link MAX_ROW_BYTES}. */
function joinRows(writes: readonly DriverLogWrite[]): { stream: DriverLogStream; data: Buffer }[] {
  const rows: { stream: DriverLogStream; parts: Uint8Array[]; bytes: number }[] = [];
  for (const write of writes) {
    if (write.data.byteLength === 0) continue;
    const last = rows.at(-1);
    if (last && last.stream === write.stream && last.bytes + write.data.byteLength <= MAX_ROW_BYTES) {
      last.parts.push(write.data);
      last.bytes += write.data.byteLength;
    } else {
      rows.push({ stream: write.stream, parts: [write.data], bytes: write.data.byteLength });
    }
  }
  return rows.map((row) => ({ stream: row.stream, data: Buffer.concat(row.parts) }));
}
