/** Ready-made application and cluster records for tests, each with a new id; they need no store. */
import type { Application } from '../model/Application.js';
import type { Cluster } from '../model/Cluster.js';

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
    driverAttempts: 1,
    driverRetryOwnFailures: false,
    clusterId: '',
    ownsCluster: false,
    driverJobId: '',
    jobIds: [],
    attempts: [],
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
