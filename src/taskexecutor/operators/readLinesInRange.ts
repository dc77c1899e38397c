/**
 * Reads the lines of one file that start inside a byte range, the way Hadoop's and Flink's text
 * input formats read a split: lines are cut at '\n' bytes, a line belongs to the split where its
 * first byte lies, and the last line is read to its end even past the split. Memory stays bounded
 * by one read chunk plus the longest line, whatever the file's size.
 */
import { open } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Yields, one array per chunk read, the lines of `path` whose first byte is in `[start, end)`.
 * A line starts at byte 0 or right after a '\n'. Lines are decoded as UTF-8 after they are
 * complete, so characters split between chunks are whole; the '\n' and a '\r' before it are
 * dropped; a last line without '\n' is still a line, an empty remainder after the last '\n' is not.
 *
 * @param chunkSize The number of bytes read at a time.
 */
export async function* readLinesInRange(
  path: string,
  start: number,
  end: number,
  chunkSize: number,
): AsyncGenerator<string[]> {
  if (start >= end) return;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    // A range that starts inside the file owns the first line starting at or after `start`: the
    // one after the first '\n' at or after `start - 1`. Reading from there finds it.
    let position = start === 0 ? 0 : start - 1;
    let seekingLineStart = start !== 0;
    let lineStart = start;
    const pending: Buffer[] = [];
    while (seekingLineStart || pending.length > 0 || lineStart < end) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) {
        if (pending.length > 0) {
          const whole = Buffer.concat(pending);
          yield [decodeLine(whole, 0, whole.length)];
        }
        return;
      }
      let offset = 0;
      if (seekingLineStart) {
        const newline = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
        if (newline < 0) {
          position += bytesRead;
          continue;
        }
        seekingLineStart = false;
        offset = newline + 1;
        lineStart = position + offset;
      }
      const lines: string[] = [];
      while (offset < bytesRead && (pending.length > 0 || lineStart < end)) {
        const newline = buffer.indexOf(NEWLINE, offset);
        if (newline < 0 || newline >= bytesRead) {
          // The line goes on in the next chunk; copy it, the buffer is reused.
          pending.push(Buffer.from(buffer.subarray(offset, bytesRead)));
          offset = bytesRead;
          break;
        }
        if (pending.length > 0) {
          pending.push(buffer.subarray(offset, newline));
          const whole = Buffer.concat(pending);
          pending.length = 0;
          lines.push(decodeLine(whole, 0, whole.length));
        } else {
          lines.push(decodeLine(buffer, offset, newline));
        }
        offset = newline + 1;
        lineStart = position + offset;
      }
      position += bytesRead;
      if (lines.length > 0) yield lines;
    }
  } finally {
    await handle.close();
  }
}

function decodeLine(bytes: Buffer, from: number, to: number): string {
  return bytes.toString('utf8', from, to > from && bytes[to - 1] === CARRIAGE_RETURN ? to - 1 : to);
}
