/**
 * A job manager's address in a file: a small file-based form of Flink's leader retrieval. The job
 * manager writes `HOST:PORT` once it listens (atomically: a temporary file renamed into place, so a
 * reader never sees half an address), and task executors started at the same time wait for the
 * file instead of being started only after the job manager listens. Their start-up (Node, module
 * loading, their own server) then overlaps the job manager's.
 */
import { readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UnavailableError } from './errors.js';

/** How often the file is looked at besides the folder's change notifications (which some file systems do not give). */
const POLL_MS = 25;

/** Writes `address` to `file` atomically. */
export function writeAddressFile(file: string, address: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${address}\n`);
  renameSync(temporary, file);
}

/** The address in `file`, or undefined while there is no such file. */
export function readAddressFile(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Resolves with the address in `file` once it is there; rejects with {@link UnavailableError}
 * after `timeoutMs`, or with the signal's reason when it aborts.
 */
export function waitForAddressFile(file: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let watcher: FSWatcher | undefined;
    let poll: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      clearInterval(poll);
      clearTimeout(deadline);
      watcher?.close();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const look = () => {
      try {
        const address = readAddressFile(file);
        if (address !== undefined) finish(() => resolve(address));
      } catch (error) {
        finish(() => reject(error as Error));
      }
    };
    const onAbort = () => finish(() => reject(signal?.reason as Error));
    const deadline = setTimeout(
      () =>
        finish(() =>
          reject(
            new UnavailableError(
              `no job manager address in ${file} after ${timeoutMs} ms: the job manager did not start listening`,
            ),
          ),
        ),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      watcher = watch(dirname(file), (_event, name) => {
        if (name === null || name === basename(file)) look();
      });
      watcher.on('error', () => undefined);
    } catch {
      // No change notifications here (or no folder yet): the poll below still finds the file.
    }
    poll = setInterval(look, POLL_MS);
    look();
  });
}
