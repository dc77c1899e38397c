/** The end of a process's log file, for error messages that show why a process failed. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of `file` (reading at most `maxBytes` from its end); a note when it cannot be read. */
export function logTail(file: string, lines = 20, maxBytes = 8192): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n+$/, '');
    if (text === '') return `(${file} is empty)`;
    return text.split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
