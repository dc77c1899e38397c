/**
 * The control plane's copy of what each application's driver wrote, as a port, by byte offset of
 * the application's own log. Pieces are appended together with the application's source offset
 * (how far the copy has got in the driver job's output on its cluster) in one transaction, so a
 * copy resumed after a restart neither repeats nor skips a byte.
 */

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
  /** The driver job the copy reads, once a later driver attempt's took over; '' for the application's first driver job. */
  sourceJobId: string;
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

/** The largest row a store joins pieces into (a single larger piece is stored whole). */
export const MAX_ROW_BYTES = 256 * 1024;

/** The driver logs of every application. */
export interface DriverLogStore {
  /** Where the application's log stands; NOT_FOUND naming the id for an unknown application. */
  position(applicationId: string): Promise<DriverLogPosition>;
  /**
   * Appends output copied from the driver job's output between `fromSourceOffset` and
   * `toSourceOffset`, and moves the source offset, in one transaction; resolves to the log's new
   * end offset. FAILED_PRECONDITION when the copy is not where the caller thinks (a second copy ran).
   */
  append(
    applicationId: string,
    fromSourceOffset: number,
    toSourceOffset: number,
    writes: readonly DriverLogWrite[],
    time?: Date,
  ): Promise<number>;
  /**
   * Records that the copy has ended (nothing more will be appended), with `notes` (what the control
   * plane has to say about the end, such as output that could not be copied) as the log's last rows.
   */
  complete(applicationId: string, notes?: readonly DriverLogWrite[], time?: Date): Promise<void>;
  /**
   * Moves the copy on to a later driver attempt's driver job `jobId`, once the earlier copy ended:
   * the source offset starts again at 0, the copy is no longer complete, and `header` (the line that
   * separates the attempts) is appended. FAILED_PRECONDITION while the earlier copy has not ended.
   */
  nextSource(applicationId: string, jobId: string, header: readonly DriverLogWrite[], time?: Date): Promise<void>;
  /**
   * Up to `limit` stored pieces from `offset` on, in order; the first starts at `offset` when the
   * offset points inside a piece. Pieces retention dropped are simply absent: the caller compares offsets.
   */
  read(applicationId: string, offset: number, limit: number): Promise<DriverLogPiece[]>;
  /** The applications whose driver job is known and whose copy has not ended, oldest first. */
  incompleteCopies(): Promise<string[]>;
}
