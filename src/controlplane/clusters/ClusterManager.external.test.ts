/**
 * ClusterManager.useExternal over a real state database, with the Dispatcher replaced by a
 * recording fake: which addresses are dialled (only listed ones, for their tenants), with which
 * secret (the one listed for that address), and the one refusal for every address that cannot be used.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentTarget } from '../../deployment/DeploymentTarget.js';
import { silentLogger, testCluster, testState } from '../testing/testState.js';
import { ClusterManager } from './ClusterManager.js';
import type { DispatcherGateway } from './DispatcherGateway.js';
import { ExternalJobManagers } from './ExternalJobManagers.js';
import { JOB_MANAGER_NOT_USABLE_MESSAGE, JobManagerNotUsableError } from './JobManagerNotUsableError.js';

const SECRET_A = 'secret-listed-for-the-job-manager-a';

/** A manager whose job managers answer only at `answering`, each to its own secret; every dial is recorded. */
function externalManager(listed: ExternalJobManagers, answering: Record<string, string | undefined>) {
  const state = testState();
  const dialled: Array<{ address: string; secret: string | undefined }> = [];
  const target: DeploymentTarget = {
    name: 'local',
    taskExecutorDefaults: { cpus: 1, memoryMb: 512 },
    deploy: () => Promise.reject(new Error('not deployed in this test')),
    attach: () => {
      throw new Error('not attached in this test');
    },
  };
  const connect = (address: string, secret?: string) => {
    dialled.push({ address, secret });
    return {
      overview: async () => {
        if (!(address in answering)) throw new Error('connect ECONNREFUSED');
        if (answering[address] !== secret) throw new Error('UNAUTHENTICATED: the cluster secret does not match');
        return { taskExecutors: 1 };
      },
      async *watchJobEvents(_after: number, signal: AbortSignal) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
      },
      close: () => undefined,
    } as unknown as DispatcherGateway;
  };
  const manager = new ClusterManager({
    ...state,
    store: state.store,
    target,
    connect,
    observer: {
      onJobEvent: async () => undefined,
      onClusterStatus: async () => undefined,
      onClusterGone: async () => undefined,
    },
    logger: silentLogger,
    externalJobManagers: listed,
  });
  return { state, manager, dialled };
}

const use = (manager: ClusterManager, address: string, tenant: string) =>
  manager.useExternal(address, tenant, new AbortController().signal);

describe('ClusterManager.useExternal', () => {
  it('dials only an address listed for the tenant, with its own secret, and records it', async () => {
    const listed = new ExternalJobManagers([
      { address: '127.0.0.1:7001', clusterSecret: SECRET_A, tenants: ['team-a'] },
      { address: '127.0.0.1:7002', tenants: [] },
    ]);
    const { manager, dialled } = externalManager(listed, { '127.0.0.1:7001': SECRET_A, '127.0.0.1:7002': undefined });
    const cluster = await use(manager, '127.0.0.1:7001', 'team-a');
    expect(cluster).toMatchObject({
      deploymentTarget: 'external',
      jobmanagerAddress: '127.0.0.1:7001',
      clusterSecret: SECRET_A,
      tenant: 'team-a',
      status: 'RUNNING',
    });
    expect((await use(manager, '127.0.0.1:7002', 'team-b')).clusterSecret).toBe('');
    // Probed, then followed: every dial goes to a listed address with its own secret.
    expect(new Set(dialled.map((dial) => `${dial.address} ${dial.secret}`))).toEqual(
      new Set([`127.0.0.1:7001 ${SECRET_A}`, '127.0.0.1:7002 undefined']),
    );
    await manager.close();
  });

  it('refuses every address that cannot be used with one error, dialling none that is not listed for the tenant', async () => {
    const listed = new ExternalJobManagers([
      { address: '127.0.0.1:7001', clusterSecret: SECRET_A, tenants: ['team-a'] },
      { address: '127.0.0.1:7003', clusterSecret: 'not-the-secret-it-was-started-with', tenants: [] },
      { address: '127.0.0.1:7004', clusterSecret: SECRET_A, tenants: [] },
    ]);
    const { manager, dialled, state } = externalManager(listed, {
      '127.0.0.1:7001': SECRET_A,
      '127.0.0.1:7003': 'the-secret-it-was-started-with',
    });
    const refusals: Error[] = [];
    // Another tenant's listing, an address nobody listed, a wrong secret, a listed address nobody answers at.
    for (const [address, tenant] of [
      ['127.0.0.1:7001', 'team-b'],
      ['127.0.0.1:9999', 'team-a'],
      ['127.0.0.1:7003', 'team-a'],
      ['127.0.0.1:7004', 'team-a'],
    ])
      refusals.push(
        await use(manager, address, tenant).then(
          () => new Error(`${address} was used`),
          (error: Error) => error,
        ),
      );
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(JobManagerNotUsableError);
      expect(refusal).toMatchObject({ message: JOB_MANAGER_NOT_USABLE_MESSAGE, stack: refusals[0].stack });
    }
    expect(dialled.map((dial) => dial.address)).toEqual(['127.0.0.1:7003', '127.0.0.1:7004']);
    expect(await state.clusters.list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' })).toEqual({
      clusters: [],
      nextPageToken: '',
    });
    await manager.close();
  });

  it('leaves a record made under a secret the operator has since changed, and records the job manager anew with the listed one', async () => {
    const listed = new ExternalJobManagers([{ address: '127.0.0.1:7001', clusterSecret: SECRET_A, tenants: [] }]);
    const { manager, state } = externalManager(listed, { '127.0.0.1:7001': SECRET_A });
    const stale = testCluster({
      deploymentTarget: 'external',
      jobmanagerAddress: '127.0.0.1:7001',
      clusterSecret: 'the-secret-listed-before-a-rotation',
      tenant: 'team-a',
      status: 'RUNNING',
    });
    await state.clusters.insert(stale);
    const cluster = await use(manager, '127.0.0.1:7001', 'team-a');
    expect(cluster.id).not.toBe(stale.id);
    expect(cluster.clusterSecret).toBe(SECRET_A);
    // The next use finds the new record.
    expect((await use(manager, '127.0.0.1:7001', 'team-a')).id).toBe(cluster.id);
    await manager.close();
  });
});
