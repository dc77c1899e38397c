/**
 * The store factory of the composition root (beside controlPlane.ts): the one place outside `store/` that knows which
 * implementation of {@link ControlPlaneStore} the control plane runs on (today SQLite under the
 * state dir). Everything else in the control plane depends on the port only.
 */
import { mkdirSync } from 'node:fs';
import type { ControlPlaneStore } from './store/ControlPlaneStore.js';
import { openSqliteControlPlaneStore } from './store/sqlite/SqliteControlPlaneStore.js';
import { stateWriteErrorOf } from './store/stateWriteError.js';

/** Opens the control plane's state under `stateDir` (created if missing), migrated to the newest schema. */
export function openControlPlaneStore(stateDir: string): ControlPlaneStore {
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    throw stateWriteErrorOf(error, stateDir) ?? error;
  }
  return openSqliteControlPlaneStore(stateDir);
}
