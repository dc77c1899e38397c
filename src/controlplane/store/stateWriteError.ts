/**
 * Failures to write the control plane's state: its state dir's disk is full, read-only or failing,
 * seen as SQLite's FULL, READONLY, CANTOPEN and IOERR results or as the file system's errno codes
 * (an upload written to the artifact folder). Each becomes a domain error that says which folder
 * cannot be written and what to do, instead of an unexpected error answered INTERNAL.
 */
import { FailedPreconditionError, ResourceExhaustedError, type FlotillaError } from '../../common/errors.js';

/** The state dir's disk has no space left (RESOURCE_EXHAUSTED). */
export class StateDiskFullError extends ResourceExhaustedError {
  override name = 'StateDiskFullError';
}

/** The state dir cannot be written: read-only, not permitted, or the disk fails (FAILED_PRECONDITION). */
export class StateNotWritableError extends FailedPreconditionError {
  override name = 'StateNotWritableError';
}

/** What each code means, for the message; codes not listed here are not write failures. */
const FULL: Record<string, string> = {
  SQLITE_FULL: 'the disk is full',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};
const NOT_WRITABLE: Record<string, string> = {
  SQLITE_READONLY: 'the database can only be read',
  SQLITE_CANTOPEN: 'a file of the database cannot be opened',
  SQLITE_IOERR: 'the disk failed a read or write',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'a file would grow past what the file system or the process allows',
  EIO: 'the disk failed a read or write',
};

/**
 * The domain error for `error` when it is a failure to write the state under `stateDir`, or
 * undefined for anything else. SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED)
 * count as their primary code.
 */
export function stateWriteErrorOf(error: unknown, stateDir: string): FlotillaError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  const full = FULL[primary];
  if (full)
    return new StateDiskFullError(
      `the control plane cannot write its state in ${stateDir}: ${full} (${code}); free space on that disk, then try again`,
    );
  const notWritable = NOT_WRITABLE[primary];
  if (notWritable) {
    return new StateNotWritableError(
      `the control plane cannot write its state in ${stateDir}: ${notWritable} (${code}); make that folder writable on a working disk with free space, then try again`,
    );
  }
  return undefined;
}
