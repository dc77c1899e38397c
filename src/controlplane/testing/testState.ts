/** A fresh state database with the control plane's stores, and ready-made records, for unit tests. */
import { join } from 'node:path';
import pino from 'pino';
import { tempDir } from '../../common/testing/tempDir.js';
import { ApplicationEventLog } from '../events/ApplicationEventLog.js';
import type { Application } from '../model/Application.js';
import type { Cluster } from '../model/Cluster.js';
import { ApplicationEventStore } from '../store/ApplicationEventStore.js';
import { ApplicationStore } from '../store/ApplicationStore.js';
import { ClusterStore } from '../store/ClusterStore.js';
import { JobStore } from '../store/JobStore.js';
import { openStateDatabase, type StateDatabase } from '../store/stateDatabase.js';

/** The stores over one new database. */
export interface TestState {
  db: StateDatabase;
  applications: ApplicationStore;
  events: ApplicationEventStore;
  clusters: ClusterStore;
  jobs: JobStore;
  log: ApplicationEventLog;
}

/** Opens a new database in a temporary folder. */
export function testState(): TestState {
  const db = openStateDatabase(join(tempDir(), 'state.db'));
  const applications = new ApplicationStore(db);
  const events = new ApplicationEventStore(db);
  return {
    db,
    applications,
    events,
    clusters: new ClusterStore(db),
    jobs: new JobStore(db),
    log: new ApplicationEventLog(events, applications),
  };
}

let counter = 0;

/** An application record (DEPLOYING, driver mode, an owned cluster of one task executor) with `overrides`. */
export function testApplication(overrides: Partial<Application> = {}): Application {
  counter++;
  return {
    id: `app-${counter}`,
    tenant: '',
    name: `application ${counter}`,
    status: 'DEPLOYING',
    mode: 'DRIVER',
    detached: true,
    bundle: { artifactId: 'a'.repeat(64) },
    entry: '#main',
    args: ['one', 'two'],
    target: { kind: 'deploy', spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, properties: {} } },
    driverResources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
    parallelism: 1,
    properties: {},
    clusterId: '',
    ownsCluster: false,
    driverJobId: '',
    jobIds: [],
    createTime: new Date(),
    lastEventSequence: 0,
    requestId: '',
    requestFingerprint: '',
    ...overrides,
  };
}

/** A cluster record (RUNNING, local, shared) with `overrides`. */
export function testCluster(overrides: Partial<Cluster> = {}): Cluster {
  counter++;
  return {
    id: `cluster-${counter}`,
    tenant: '',
    clusterSecret: '',
    name: `cluster ${counter}`,
    status: 'RUNNING',
    deploymentTarget: 'local',
    ownerApplicationId: '',
    jobmanagerAddress: '127.0.0.1:1',
    spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, properties: {} },
    deploymentReference: '/nowhere',
    registeredTaskExecutors: 1,
    lastJobEventSequence: 0,
    requestId: '',
    requestFingerprint: '',
    createTime: new Date(),
    ...overrides,
  };
}

/** A logger that writes nothing. */
export const silentLogger = pino({ level: 'silent' });
