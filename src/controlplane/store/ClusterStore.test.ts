import { describe, expect, it } from 'vitest';
import { testApplication, testCluster, testState } from '../testing/testState.js';
import { ClusterStore } from './ClusterStore.js';

describe('ClusterStore', () => {
  it("stores a cluster with its deployment target's reference and reads it back unchanged", () => {
    const { clusters } = testState();
    const cluster = testCluster({
      deploymentReference: '/state/clusters/c',
      spec: {
        taskExecutors: 2,
        slotsPerTaskExecutor: 3,
        taskExecutorResources: { cpus: 2, heapMemoryMb: 512, directMemoryMb: 0, nativeMemoryMb: 0 },
        properties: { k: 'v' },
      },
      requestId: 'r',
    });
    clusters.insert(cluster);
    expect(clusters.get(cluster.id)).toEqual(cluster);
    expect(clusters.findByRequestId('r', '')?.id).toBe(cluster.id);
    expect(() => clusters.get('cluster-nope')).toThrow(/cluster "cluster-nope" is not known/);
  });

  it("records the deployment target's reference once given, changes, and the last consumed job event", () => {
    const { clusters } = testState();
    const cluster = testCluster({ status: 'DEPLOYING', jobmanagerAddress: '', deploymentReference: '' });
    clusters.insert(cluster);
    clusters.update(cluster.id, { deploymentReference: '/state/clusters/c' });
    clusters.update(cluster.id, { status: 'RUNNING', jobmanagerAddress: '127.0.0.1:7', registeredTaskExecutors: 2 });
    clusters.setLastJobEventSequence(cluster.id, 42);
    const stored = clusters.get(cluster.id);
    expect(stored).toMatchObject({
      deploymentReference: '/state/clusters/c',
      status: 'RUNNING',
      jobmanagerAddress: '127.0.0.1:7',
      registeredTaskExecutors: 2,
      lastJobEventSequence: 42,
    });
    clusters.update(cluster.id, {
      status: 'FAILED',
      failure: { name: 'ClusterLostError', message: 'gone', stack: '' },
      endTime: new Date(5),
    });
    expect(clusters.get(cluster.id)).toMatchObject({
      status: 'FAILED',
      failure: { name: 'ClusterLostError' },
      endTime: new Date(5),
    });
    expect(clusters.active()).toEqual([]);
  });

  it('lists newest first with a status filter, and finds a live external cluster by address', () => {
    const { clusters } = testState();
    const external = testCluster({ deploymentTarget: 'external', jobmanagerAddress: '127.0.0.1:9000' });
    const stopped = testCluster({
      deploymentTarget: 'external',
      jobmanagerAddress: '127.0.0.1:9001',
      status: 'STOPPED',
    });
    const local = testCluster();
    for (const cluster of [external, stopped, local]) clusters.insert(cluster);
    expect(
      clusters.list({ pageSize: 0, pageToken: '', statuses: [], tenant: '' }).clusters.map((cluster) => cluster.id),
    ).toEqual([local.id, stopped.id, external.id]);
    const page = clusters.list({ pageSize: 1, pageToken: '', statuses: ['RUNNING'], tenant: '' });
    expect(page.clusters.map((cluster) => cluster.id)).toEqual([local.id]);
    expect(
      clusters
        .list({ pageSize: 1, pageToken: page.nextPageToken, statuses: ['RUNNING'], tenant: '' })
        .clusters.map((cluster) => cluster.id),
    ).toEqual([external.id]);
    expect(clusters.findLiveExternal('127.0.0.1:9000', '')?.id).toBe(external.id);
    expect(clusters.findLiveExternal('127.0.0.1:9001', '')).toBeUndefined();
  });

  it("keeps tenants apart and keeps each cluster's secret", () => {
    const { clusters } = testState();
    const mine = testCluster({
      tenant: 'team-a',
      clusterSecret: 's'.repeat(43),
      deploymentTarget: 'external',
      jobmanagerAddress: '127.0.0.1:9002',
    });
    const theirs = testCluster({ tenant: 'team-b', jobmanagerAddress: '127.0.0.1:9003' });
    for (const cluster of [mine, theirs]) clusters.insert(cluster);
    expect(clusters.get(mine.id).clusterSecret).toBe('s'.repeat(43));
    expect(
      clusters
        .list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' })
        .clusters.map((cluster) => cluster.id),
    ).toEqual([mine.id]);
    expect(() => clusters.get(theirs.id, 'team-a')).toThrow(
      `cluster ${JSON.stringify(theirs.id)} is not known to this control plane`,
    );
    expect(clusters.findLiveExternal('127.0.0.1:9002', 'team-b')).toBeUndefined();
    expect(clusters.findLiveDeployed('127.0.0.1:9003', 'team-a')).toBeUndefined();
    expect(clusters.findLiveDeployed('127.0.0.1:9003', 'team-b')?.id).toBe(theirs.id);
  });

  it('answers from the clusters it keeps exactly what the database holds, through updates, references, cursors and rollbacks', () => {
    const { db, clusters } = testState();
    const cluster = testCluster({ status: 'DEPLOYING', jobmanagerAddress: '', deploymentReference: '' });
    clusters.insert(cluster);
    // What a new store over the same database reads, with nothing kept.
    const stored = () => new ClusterStore(db).get(cluster.id);
    expect(clusters.get(cluster.id)).toEqual(stored());
    clusters.update(cluster.id, { deploymentReference: '/state/clusters/c' });
    expect(clusters.get(cluster.id)).toEqual(stored());
    clusters.update(cluster.id, { status: 'RUNNING', jobmanagerAddress: '127.0.0.1:7', registeredTaskExecutors: 1 });
    clusters.setLastJobEventSequence(cluster.id, 7);
    expect(clusters.get(cluster.id)).toEqual(stored());
    clusters.update(cluster.id, {
      status: 'FAILED',
      failure: { name: 'ClusterLostError', message: 'gone', stack: '' },
      endTime: new Date(5),
    });
    expect(clusters.get(cluster.id)).toEqual(stored());
    clusters.update(cluster.id, { failure: undefined });
    expect(clusters.get(cluster.id)).toEqual(stored());
    const before = clusters.get(cluster.id);
    // A transaction that fails after changing the cluster leaves nothing of it, also in what the store answers.
    expect(() =>
      db.transaction(() => {
        clusters.update(cluster.id, { status: 'STOPPED' });
        clusters.setLastJobEventSequence(cluster.id, 9);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(clusters.get(cluster.id)).toEqual(before);
    expect(clusters.get(cluster.id)).toEqual(stored());
  });

  it('keeps in memory only clusters that have not ended: an ended one is read from the database each time', () => {
    const { clusters } = testState();
    const cluster = testCluster({ status: 'RUNNING' });
    clusters.insert(cluster);
    // A kept cluster is shared: the same object each time.
    expect(clusters.get(cluster.id)).toBe(clusters.get(cluster.id));
    clusters.update(cluster.id, { status: 'STOPPED', endTime: new Date(5) });
    const ended = clusters.get(cluster.id);
    expect(ended.status).toBe('STOPPED');
    expect(clusters.get(cluster.id)).not.toBe(ended);
    expect(clusters.get(cluster.id)).toEqual(ended);
  });

  it("finds an application's own clusters through an index, not a scan of every cluster", () => {
    const { db, clusters, applications } = testState();
    const owner = testApplication();
    applications.insert(owner);
    const owned = testCluster({ ownerApplicationId: owner.id });
    clusters.insert(owned);
    clusters.insert(testCluster());
    expect(clusters.activeOwnedBy(owner.id).map((cluster) => cluster.id)).toEqual([owned.id]);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM clusters WHERE owner_application_id = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal",
      )
      .all(owner.id) as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/USING INDEX clusters_by_owner/);
  });
});
