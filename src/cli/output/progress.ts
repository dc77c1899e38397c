/**
 * Progress of a byte transfer (a bundle upload), on stderr so that stdout stays what the command
 * prints (an id, JSON). On a terminal one line is redrawn in place with the bytes sent out of the
 * total; elsewhere (a pipe, a CI log) a plain line is written when the transfer starts, at most
 * every {@link PLAIN_LINE_MS} after, and when the last byte went; with `--quiet` nothing.
 */
import { CLEAR_LINE } from './statusLine.js';

/** Reports progress of a byte transfer. */
export interface ProgressReporter {
  update(done: number, total: number): void;
  done(): void;
}

/** Options of {@link progressReporter}. */
export interface ProgressOptions {
  /** Where progress goes; stderr unless given. */
  stream?: NodeJS.WriteStream;
  /** Nothing at all (`--quiet`). */
  quiet?: boolean;
}

const REDRAW_MS = 200;
/** How often a plain (not terminal) progress line is written at most while a transfer goes on. */
export const PLAIN_LINE_MS = 5000;

/** A byte count as people read it: bytes, KiB or MiB with one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

const percentOf = (done: number, total: number) => (total > 0 ? Math.floor((done / total) * 100) : 100);

/** A reporter for `label` ("uploading bundle"): a redrawn line on a terminal, occasional plain lines elsewhere. */
export function progressReporter(label: string, options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet === true) return { update: () => undefined, done: () => undefined };
  let last = 0;
  if (!stream.isTTY) {
    let started = false;
    return {
      update(done, total) {
        const now = Date.now();
        if (started && now - last < PLAIN_LINE_MS && done < total) return;
        started = true;
        last = now;
        stream.write(`${label}: ${done} of ${total} bytes (${percentOf(done, total)}%)\n`);
      },
      done: () => undefined,
    };
  }
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < REDRAW_MS && done < total) return;
      last = now;
      drawn = true;
      stream.write(`${CLEAR_LINE}${label}: ${formatBytes(done)} of ${formatBytes(total)} (${percentOf(done, total)}%)`);
    },
    done() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
