/**
 * Every file a Flotilla server process creates is its user's alone: the control plane's database
 * and its WAL and shared-memory files (SQLite gives them the database's mode), stored bundles, the
 * folders and log files of the clusters it deploys (whose processes inherit the mask), a job
 * manager's blobs, a task executor's unpacked bundles and what its tasks write. Explicit modes
 * (0700 folders, 0600 files) where the code creates them say the same; the mask also covers what
 * libraries and user code create.
 */

/** The mask of a server process: no group or other bits on anything it creates. */
export const SERVER_UMASK = 0o077;

/** Sets this process's umask to {@link SERVER_UMASK}; call it first thing in a server verb. */
export function keepFilesPrivate(): void {
  process.umask(SERVER_UMASK);
}
