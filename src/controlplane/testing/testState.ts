/**
 * A fresh control-plane store, and ready-made records, for unit tests: the composition root of
 * the tests, so the one place besides the control plane's that opens the SQLite store.
 */
import pino from 'pino';
import { tempDir } from '../../common/testing/tempDir.js';
import { ApplicationEventLog } from '../events/ApplicationEventLog.js';
import type { ApplicationEventStore } from '../store/ApplicationEventStore.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ClusterStore } from '../store/ClusterStore.js';
import type { ControlPlaneStore } from '../store/ControlPlaneStore.js';
import type { JobStore } from '../store/JobStore.js';
import { openSqliteControlPlaneStore } from '../store/sqlite/SqliteControlPlaneStore.js';

export { testApplication, testCluster } from './testRecords.js';

/** A new store, its repositories, and an event log over it. */
export interface TestState {
  store: ControlPlaneStore;
  applications: ApplicationStore;
  events: ApplicationEventStore;
  clusters: ClusterStore;
  jobs: JobStore;
  log: ApplicationEventLog;
}

/** Opens a new store in a temporary folder (an fsync per commit: no group commit to wait for). */
export function testState(): TestState {
  const store = openSqliteControlPlaneStore(tempDir(), { groupCommit: false });
  return {
    store,
    applications: store.applications,
    events: store.events,
    clusters: store.clusters,
    jobs: store.jobs,
    log: new ApplicationEventLog(store.events, store.applications),
  };
}

/** A logger that writes nothing. */
export const silentLogger = pino({ level: 'silent' });
