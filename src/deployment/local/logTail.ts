/** The end of a process's log file: read through the target, and in error messages that show why a process failed. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** At most the last `maxBytes` of `file`, as text; empty when the file is empty or missing. */
export function readTail(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    const bytes = readEnd(fd, maxBytes);
    // Cut at the start of a character, not inside one.
    let start = 0;
    while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) === 0x80) start += 1;
    return bytes.subarray(start).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of `file` (reading at most `maxBytes` from its end); a note when it cannot be read. */
export function logTail(file: string, lines = 20, maxBytes = 8192): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const text = readEnd(fd, maxBytes).toString('utf8').replace(/\n+$/, '');
    if (text === '') return `(${file} is empty)`;
    return text.split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readEnd(fd: number, maxBytes: number): Buffer {
  const size = fstatSync(fd).size;
  const length = Math.max(0, Math.min(size, maxBytes));
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, size - length);
  return buffer.subarray(0, read);
}
