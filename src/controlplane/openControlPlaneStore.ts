/**
 * The store factory of the composition root (beside controlPlane.ts): the one place outside `store/` that knows which
 * implementation of {@link ControlPlaneStore} the control plane runs on (today SQLite under the
 * state dir). Everything else in the control plane depends on the port only.
 */
import { mkdirSync } from 'node:fs';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { openSqliteControlPlaneStore } from './store/sqlite/SqliteControlPlaneStore.js';
import { stateWriteErrorOf } from './store/stateWriteError.js';

/** Opens the control plane's state under `stateDir` (created 0700 if missing), migrated to the newest schema. */
export function openControlPlaneStore(stateDir: string): ControlPlaneStore {
  try {
    // Private: the processes of the clusters it deploys run as other users and must not enter it.
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
  return openSqliteControlPlaneStore(stateDir);
}
