/**
 * The folders a Flotilla process keeps its state in (the control plane's state dir, a job manager's
 * or task executor's) hold what no other local user may see or change: the database with cluster
 * secrets, bundles that run as this process's user. Such a folder is created with mode 0700, and
 * one that exists already is used only when it is this process's user's own and closed to everyone
 * else; otherwise the process refuses to start, with the command that fixes it.
 */
import { mkdirSync, statSync } from 'node:fs';
import { FailedPreconditionError } from './errors.js';

/** The mode bits that let anyone but the owner in: group and other, read, write or search. */
const SHARED_BITS = 0o077;

/** A state folder another user could read or change (FAILED_PRECONDITION); the message says how to fix it. */
export class SharedStateDirError extends FailedPreconditionError {
  override name = 'SharedStateDirError';
}

/**
 * Creates `dir` (and missing parents) with mode 0700, or checks the one that exists: it must be a
 * folder of this process's user with no group or other bits. `what` names it in the message, such
 * as "the state dir".
 *
 * @throws SharedStateDirError naming the folder, what is wrong and the command that fixes it.
 */
export function ensurePrivateDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A file in its place: said below, in words.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new SharedStateDirError(`${what} ${dir} is not a folder; name a folder of your own`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid)
    throw new SharedStateDirError(
      `${what} ${dir} belongs to uid ${stats.uid}, not to this process's uid ${uid}: its owner could change what this process keeps and runs there; use a folder of your own, or run chown -R ${uid} ${dir} if it should be`,
    );
  const mode = stats.mode & 0o777;
  if ((mode & SHARED_BITS) !== 0)
    throw new SharedStateDirError(
      `${what} ${dir} has mode ${mode.toString(8).padStart(4, '0')}: other users can read or change it (secrets, bundles); run chmod 700 ${dir} and start again`,
    );
}
