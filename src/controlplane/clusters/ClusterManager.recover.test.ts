/**
 * ClusterManager.recover() over a real state database, with the deployment target and the
 * Dispatcher replaced by recording fakes: what a restarted control plane does with each running
 * cluster it finds recorded (follows it, finishes a teardown its predecessor had no time to begin,
 * or ends a cluster that died while no control plane watched it).
 */
import { describe, expect, it } from 'vitest';
import type { ClusterHandle, DeploymentTarget } from '../../deployment/DeploymentTarget.js';
import type { Cluster } from '../model/Cluster.js';
import { silentLogger, testApplication, testCluster, testState } from '../testing/testState.js';
import { ClusterManager } from './ClusterManager.js';
import type { ClusterObserver } from './ClusterObserver.js';
import type { DispatcherGateway } from './DispatcherGateway.js';

/** A manager over a fresh database; a cluster's job manager has ended when `exits` says how. */
function recoveringManager() {
  const state = testState();
  const exits: Record<string, string | undefined> = {};
  const tornDown: string[] = [];
  const watched: Array<{ address: string; after: number }> = [];
  const gone: Array<{ clusterId: string; lost: boolean; reason: string }> = [];
  const target: DeploymentTarget = {
    name: 'local',
    taskExecutorDefaults: { cpus: 1, memoryMb: 512 },
    deploy: () => Promise.reject(new Error('not deployed in this test')),
    attach: ({ clusterId, reference }): ClusterHandle => ({
      clusterId,
      reference,
      members: async () => {
        const exitReason = exits[clusterId];
        return [
          exitReason === undefined
            ? { role: 'jobmanager', index: 0, name: 'jobmanager', phase: 'running' }
            : { role: 'jobmanager', index: 0, name: 'jobmanager', phase: 'exited', exitReason },
        ];
      },
      readLog: async () => '',
      tearDown: async () => void tornDown.push(clusterId),
      kill: async () => undefined,
    }),
  };
  const connect = (address: string) =>
    ({
      address,
      async *watchJobEvents(after: number, signal: AbortSignal) {
        watched.push({ address, after });
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
      },
      close: () => undefined,
    }) as unknown as DispatcherGateway;
  const observer: ClusterObserver = {
    onJobEvent: async () => undefined,
    onClusterStatus: async () => undefined,
    onClusterGone: async (cluster: Cluster, ending) => void gone.push({ clusterId: cluster.id, ...ending }),
  };
  const manager = new ClusterManager({
    ...state,
    store: state.store,
    target,
    connect,
    observer,
    logger: silentLogger,
  });
  /** Records an application in `applicationStatus` with a running cluster it owns. */
  const ownedCluster = async (applicationStatus: 'RUNNING' | 'FINISHED', cluster: Partial<Cluster> = {}) => {
    const application = testApplication({ status: applicationStatus });
    await state.applications.insert(application);
    const owned = testCluster({ ownerApplicationId: application.id, ...cluster });
    await state.clusters.insert(owned);
    await state.applications.update(application.id, { clusterId: owned.id, ownsCluster: true });
    return owned.id;
  };
  return { state, manager, tornDown, watched, gone, ownedCluster, exits };
}

describe('ClusterManager.recover', () => {
  it('follows a running cluster again from the last event its predecessor consumed', async () => {
    const { manager, watched, tornDown, ownedCluster, state } = recoveringManager();
    const clusterId = await ownedCluster('RUNNING', { jobmanagerAddress: '127.0.0.1:7001', lastJobEventSequence: 41 });
    await manager.recover();
    await expect.poll(() => watched).toEqual([{ address: '127.0.0.1:7001', after: 41 }]);
    expect(tornDown).toEqual([]);
    expect((await state.clusters.get(clusterId)).status).toBe('RUNNING');
    await manager.close();
  });

  it('tears down an owned cluster whose application ended just before the control plane stopped', async () => {
    const { manager, watched, tornDown, ownedCluster, state } = recoveringManager();
    const clusterId = await ownedCluster('FINISHED');
    await manager.recover();
    await expect.poll(async () => (await state.clusters.get(clusterId)).status).toBe('STOPPED');
    expect(tornDown).toEqual([clusterId]);
    expect(watched).toEqual([]);
    await manager.close();
  });

  it('ends a cluster whose job manager died while the control plane was down, saying so, and stops what is left of it', async () => {
    const { manager, state, tornDown, watched, gone, ownedCluster, exits } = recoveringManager();
    const clusterId = await ownedCluster('RUNNING', { jobmanagerAddress: '127.0.0.1:7002' });
    exits[clusterId] = 'is no longer running';
    await manager.recover();
    const lost = await state.clusters.get(clusterId);
    expect(lost.status).toBe('FAILED');
    expect(lost.failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(
        'it ended while the control plane was down (its job manager at 127.0.0.1:7002 is no longer running)',
      ),
    });
    expect(gone).toEqual([
      { clusterId, lost: true, reason: expect.stringContaining('while the control plane was down') },
    ]);
    await expect.poll(() => tornDown).toEqual([clusterId]);
    expect(watched).toEqual([]);
    await manager.close();
  });
});
