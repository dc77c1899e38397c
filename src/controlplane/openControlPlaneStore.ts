/**
 * The store factory of the composition root (beside controlPlane.ts): the one place outside
 * `store/` that knows which implementation of {@link ControlPlaneStore} the control plane runs on:
 * SQLite under the state dir (the default), or PostgreSQL when `--store` names a
 * `postgresql://` database. Everything else in the control plane depends on the port only.
 */
import { ensurePrivateDir } from '../common/privateDir.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { isPostgresUrl } from './store/postgres/postgresUrl.js';
import { openSqliteControlPlaneStore } from './store/sqlite/SqliteControlPlaneStore.js';
import { stateWriteErrorOf } from './store/stateWriteError.js';

/** Where the control plane's state is. */
export interface StoreSettings {
  /** The state dir (created with mode 0700 if missing): the SQLite database's folder, and the home of what is not in the database. */
  stateDir: string;
  /** `postgresql://…` for a PostgreSQL database; SQLite under the state dir when not given. */
  store?: string;
  /** Told of an error on an idle database connection (PostgreSQL only; the connection is dropped either way). */
  onConnectionError?: (error: Error) => void;
  /** PostgreSQL only: how long a connection may sit idle inside a transaction before the server ends its session (the store's default unless given). */
  idleInTransactionMs?: number;
}

/**
 * Opens the control plane's state, migrated to the newest schema. A state dir another user could
 * read or change is refused (FAILED_PRECONDITION saying `chmod 700 DIR`): it holds every
 * cluster's secret (and, with SQLite, the database).
 */
export async function openControlPlaneStore(settings: StoreSettings): Promise<ControlPlaneStore> {
  const { stateDir, store } = settings;
  try {
    ensurePrivateDir(stateDir, 'the state dir');
  } catch (error) {
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
  if (store === undefined || store === '') return openSqliteControlPlaneStore(stateDir);
  if (!isPostgresUrl(store))
    throw new InvalidArgumentError(
      'the store must be a postgresql://USER@HOST:PORT/DATABASE URL, or left out for SQLite under the state dir',
    );
  // Loaded only when asked for: a control plane on SQLite never loads the PostgreSQL client.
  const { openPostgresControlPlaneStore } = await import('./store/postgres/PostgresControlPlaneStore.js');
  return openPostgresControlPlaneStore(store, {
    onConnectionError: settings.onConnectionError,
    idleInTransactionMs: settings.idleInTransactionMs,
  });
}
