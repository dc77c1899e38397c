/**
 * How every store turns driver output into rows (pieces of one stream joined up to
 * {@link MAX_ROW_BYTES}) and rows back into the pieces a read from an offset answers.
 */
import { MAX_ROW_BYTES, type DriverLogPiece, type DriverLogStream, type DriverLogWrite } from './DriverLogStore.js';

/** Joins consecutive writes of the same stream into rows of at most {@link MAX_ROW_BYTES}; empty writes are dropped. */
export function joinDriverLogWrites(writes: readonly DriverLogWrite[]): { stream: DriverLogStream; data: Buffer }[] {
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

/**
 * The pieces a read from `offset` answers, given the stored rows from the one holding `offset` on
 * (in place): the first starts at `offset` when the offset points inside it.
 */
export function piecesFrom(pieces: DriverLogPiece[], offset: number): DriverLogPiece[] {
  const first = pieces[0];
  if (first && first.offset < offset) {
    if (first.nextOffset <= offset) pieces.shift();
    else Object.assign(first, { data: first.data.subarray(offset - first.offset), offset });
  }
  return pieces;
}
