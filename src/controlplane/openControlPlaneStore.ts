/**
 * The store factory of the composition root (beside controlPlane.ts): the one place outside `store/` that knows which
 * implementation of {@link ControlPlaneStore} the control plane runs on (today SQLite under the
 * state dir). Everything else in the control plane depends on the port only.
 */
import { ensurePrivateDir } from '../common/privateDir.js';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { openSqliteControlPlaneStore } from './store/sqlite/SqliteControlPlaneStore.js';
import { stateWriteErrorOf } from './store/stateWriteError.js';

/**
 * Opens the control plane's state under `stateDir` (created with mode 0700 if missing), migrated to
 * the newest schema. A state dir another user could read or change is refused (FAILED_PRECONDITION
 * saying `chmod 700 DIR`): it holds every cluster's secret.
 */
export function openControlPlaneStore(stateDir: string): ControlPlaneStore {
  try {
    ensurePrivateDir(stateDir, 'the state dir');
  } catch (error) {
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
  return openSqliteControlPlaneStore(stateDir);
}
