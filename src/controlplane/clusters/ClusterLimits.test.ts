/**
 * A tenant's limits on clusters, as the cluster manager checks them over a real state database:
 * shared, owned and per-job clusters all count, the count and the record share a unit of work (so
 * deployments at once cannot pass a limit together), a refusal records nothing and names the
 * setting, and other tenants are not affected. The deployment target holds every deployment until
 * the manager closes, so a cluster stays DEPLOYING (and counted) for the whole test.
 */
import { describe, expect, it } from 'vitest';
import { ResourceExhaustedError } from '../../common/errors.js';
import type { DeploymentTarget } from '../../deployment/DeploymentTarget.js';
import type { ClusterSpec } from '../model/Cluster.js';
import { silentLogger, testApplication, testState } from '../testing/testState.js';
import type { ClusterLimits } from './ClusterLimits.js';
import { ClusterManager } from './ClusterManager.js';
import type { DispatcherGateway } from './DispatcherGateway.js';

const LIMITS: Record<string, ClusterLimits> = {
  'team-a': {
    clusters: { max: 2, setting: 'max_clusters of tenant team-a in the auth config' },
    taskExecutors: { max: 3, setting: '--max-task-executors-per-tenant' },
  },
};

function spec(taskExecutors: number): ClusterSpec {
  return { taskExecutors, slotsPerTaskExecutor: 1, properties: {} };
}

function limitedManager() {
  const state = testState();
  const target: DeploymentTarget = {
    name: 'local',
    taskExecutorDefaults: { cpus: 1, memoryMb: 512 },
    deploy: (_request, _progress, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    attach: () => {
      throw new Error('not attached in this test');
    },
  };
  const manager = new ClusterManager({
    ...state,
    target,
    connect: () => ({ close: () => undefined }) as unknown as DispatcherGateway,
    observer: {
      onJobEvent: async () => undefined,
      onClusterStatus: async () => undefined,
      onClusterGone: async () => undefined,
    },
    logger: silentLogger,
    clusterLimits: (tenant) => LIMITS[tenant],
  });
  const shared = (tenant: string, taskExecutors = 1) =>
    manager.deployShared({ name: '', spec: spec(taskExecutors), requestId: '', tenant });
  return { state, manager, shared };
}

describe('cluster limits of a tenant', () => {
  it('lets only as many deployments at once through as the limit allows, and refuses the rest naming the setting', async () => {
    const { state, manager, shared } = limitedManager();
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map(() => shared('team-a')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refusals).toHaveLength(3);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(ResourceExhaustedError);
      expect((refusal as Error).message).toBe(
        'tenant team-a already has 2 cluster(s) deployed, the most it may (max_clusters of tenant team-a in the auth config: 2); stop one (flotilla cluster stop ID) or wait for an application to end',
      );
    }
    // Nothing of a refused deployment is recorded.
    const listed = await state.clusters.list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' });
    expect(listed.clusters).toHaveLength(2);
    // Another tenant is not limited by team-a's clusters.
    await Promise.all([1, 2, 3].map(() => shared('team-b', 4)));
    expect(await state.clusters.countLive('team-b')).toEqual({ clusters: 3, taskExecutors: 12 });
    await manager.close();
  });

  it('counts owned and per-job clusters with shared ones, and the task executors they ask for', async () => {
    const { state, manager, shared } = limitedManager();
    const application = testApplication({ tenant: 'team-a', mode: 'PER_JOB' });
    await state.applications.insert(application);
    const signal = new AbortController().signal;
    const perJob = manager.deployForJob(application, spec(2), signal);
    perJob.catch(() => undefined);
    // 2 task executors of 3 are taken: a cluster of 2 more passes the limit, one of 1 does not.
    await expect.poll(async () => (await state.clusters.countLive('team-a')).clusters).toBe(1);
    await expect(shared('team-a', 2)).rejects.toThrow(
      'tenant team-a has 2 task executor(s) in its clusters; 2 more would pass the most it may (--max-task-executors-per-tenant: 3)',
    );
    await shared('team-a', 1);
    // Two clusters now: an application's own cluster is refused, and the application is not linked to one.
    const owner = testApplication({ tenant: 'team-a' });
    await state.applications.insert(owner);
    await expect(manager.deployOwned(owner, spec(0), signal)).rejects.toThrow(ResourceExhaustedError);
    expect((await state.applications.get(owner.id)).clusterId).toBe('');
    await expect(manager.deployForJob(application, spec(0), signal)).rejects.toThrow(
      /tenant team-a already has 2 cluster\(s\) deployed/,
    );
    expect(await state.clusters.countLive('team-a')).toEqual({ clusters: 2, taskExecutors: 3 });
    await manager.close();
  });
});
