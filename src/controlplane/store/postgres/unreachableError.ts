/**
 * What the control plane says when its PostgreSQL database cannot be used at start: not reached
 * (refused, unknown host, timed out), the login refused, or the database missing. Each becomes a
 * domain error that names the database (without its password) and what to do, instead of a stack.
 */
import { FailedPreconditionError, UnavailableError, type FlotillaError } from '../../../common/errors.js';
import { redactedPostgresUrl } from './postgresUrl.js';

/** Network errors of a connection that never came up. */
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** PostgreSQL's codes for a login or database it refuses (class 28, and 3D000 invalid_catalog_name). */
const REFUSED: Record<string, string> = {
  '28000': 'the server refused the login',
  '28P01': 'the password was not accepted',
  '3D000': 'the database does not exist (create it first: createdb NAME)',
};

/** The domain error for `error` when the database at `url` could not be used, or undefined for anything else. */
export function unreachableError(error: unknown, url: string): FlotillaError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const where = redactedPostgresUrl(url);
  const message = (error as Error | null)?.message ?? String(error);
  if (typeof code === 'string' && NOT_REACHED.has(code))
    return new UnavailableError(
      `the control plane cannot reach its PostgreSQL database at ${where}: ${message}; start the server or fix --store`,
    );
  if (typeof code === 'string' && REFUSED[code])
    return new FailedPreconditionError(
      `the control plane cannot use its PostgreSQL database at ${where}: ${REFUSED[code]} (${message}); fix --store`,
    );
  return undefined;
}
