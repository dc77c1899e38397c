/** Progress for long transfers, drawn on stderr only when it is a terminal, so logs and pipes stay clean. */

/** Reports progress of a byte transfer. */
export interface ProgressReporter {
  update(done: number, total: number): void;
  done(): void;
}

/** A reporter that redraws one stderr line at most every 200 ms; silent when stderr is not a TTY. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      drawn = true;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      stream.write(`\r${label} ${percent}% (${(done / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB)`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
