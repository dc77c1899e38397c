/**
 * What the control plane says when its PostgreSQL database fails it. At start: not reached
 * (refused, unknown host, timed out), the login refused, or the database missing. While it runs: a
 * connection lost (the server restarted or ended it), or the server out of disk or read-only. Each
 * becomes a domain error that says what happened and what to do (UNAVAILABLE for a lost
 * connection, so that a client tries again; the disk errors as SQLite's own), naming the database
 * without its password; anything else is left as it is.
 */
import { FailedPreconditionError, UnavailableError, type FlotillaError } from '../../../common/errors.js';
import { StateDiskFullError, StateNotWritableError } from '../stateWriteError.js';
import { redactedPostgresUrl } from './postgresUrl.js';

/** Network errors of a connection that never came up or went down. */
const NOT_REACHED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

/** PostgreSQL's codes for a login or database it refuses (class 28, and 3D000 invalid_catalog_name). */
const REFUSED: Record<string, string> = {
  '28000': 'the server refused the login',
  '28P01': 'the password was not accepted',
  '3D000': 'the database does not exist (create it first: createdb NAME)',
};

/** PostgreSQL's codes for a session it ends or will not start (besides class 08, connection_exception). */
const ENDED = new Set(['57P01', '57P02', '57P03', '53300']);

/** What `pg` itself says (without a code) of a connection that is gone. */
const GONE = /^Connection terminated|not queryable|timeout exceeded when trying to connect/;

/** The code of an error, if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` says the connection to the database failed or never came up. */
function connectionFailed(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) return NOT_REACHED.has(code) || ENDED.has(code) || code.startsWith('08');
  return error instanceof Error && GONE.test(error.message);
}

/** The domain error for `error` when the database at `url` could not be used at start, or undefined for anything else. */
export function unreachableError(error: unknown, url: string): FlotillaError | undefined {
  const code = codeOf(error);
  const where = redactedPostgresUrl(url);
  const message = (error as Error | null)?.message ?? String(error);
  if (code !== undefined && REFUSED[code])
    return new FailedPreconditionError(
      `the control plane cannot use its PostgreSQL database at ${where}: ${REFUSED[code]} (${message}); fix --store`,
    );
  if (connectionFailed(error))
    return new UnavailableError(
      `the control plane cannot reach its PostgreSQL database at ${where}: ${message}; start the server or fix --store`,
    );
  return undefined;
}

/** The domain error for `error` of a statement of the database at `where`, or `error` itself. */
export function databaseError(error: unknown, where: string): unknown {
  const code = codeOf(error);
  const message = (error as Error | null)?.message ?? String(error);
  if (connectionFailed(error))
    return new UnavailableError(
      `the control plane lost its connection to its PostgreSQL database at ${where} (${message}); try again`,
      { cause: error },
    );
  if (code === '53100')
    return new StateDiskFullError(
      `the control plane cannot write its state in ${where}: the database server's disk is full (${code}); free space there, then try again`,
    );
  if (code === '25006')
    return new StateNotWritableError(
      `the control plane cannot write its state in ${where}: the database takes only reads (${code}); point --store at a primary that takes writes`,
    );
  return error;
}
