/**
 * Hints that name CLI commands are the adapter's to write, not the domain's or the store's: the
 * store says which id it does not know, and this rewrite, which sits where the CLI's verbs are
 * known, adds the command that helps (`flotilla cluster list`). Only errors the domain marks with
 * a class of their own get a hint; every other error passes unchanged. The service applies it to
 * every handler through `mapHandlerErrors`.
 */
import { NotFoundError } from '../../common/errors.js';
import { UnknownClusterError } from '../store/ClusterStore.js';

/** `error` with the CLI command that helps added to its message, or `error` itself when none does. */
export function withCommandHint(error: unknown): unknown {
  if (error instanceof UnknownClusterError)
    return new NotFoundError(`${error.message} (flotilla cluster list lists them)`);
  return error;
}
