/**
 * What is particular to the SQLite clusters: the clusters kept in memory answer exactly what the
 * database holds, and an application's clusters are found through an index. The behaviour every
 * store shares is in test/contracts/controlPlaneStore.contract.ts.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../common/testing/tempDir.js';
import { testApplication, testCluster } from '../../testing/testRecords.js';
import { openSqliteControlPlaneStore, SqliteControlPlaneStore } from './SqliteControlPlaneStore.js';

function sqliteState() {
  const store = openSqliteControlPlaneStore(tempDir(), { groupCommit: false });
  return { store, clusters: store.clusters, applications: store.applications };
}

describe('SqliteClusterStore', () => {
  it('answers from the clusters it keeps exactly what the database holds, through updates, references, cursors and rollbacks', async () => {
    const { store, clusters } = sqliteState();
    const cluster = testCluster({ status: 'DEPLOYING', jobmanagerAddress: '', deploymentReference: '' });
    await clusters.insert(cluster);
    // What a new store over the same database reads, with nothing kept.
    const stored = () => new SqliteControlPlaneStore(store.db, undefined).clusters.get(cluster.id);
    expect(await clusters.get(cluster.id)).toEqual(await stored());
    await clusters.update(cluster.id, { deploymentReference: '/state/clusters/c' });
    expect(await clusters.get(cluster.id)).toEqual(await stored());
    await clusters.update(cluster.id, {
      status: 'RUNNING',
      jobmanagerAddress: '127.0.0.1:7',
      registeredTaskExecutors: 1,
    });
    await clusters.setLastJobEventSequence(cluster.id, 7);
    expect(await clusters.get(cluster.id)).toEqual(await stored());
    await clusters.update(cluster.id, {
      status: 'FAILED',
      failure: { name: 'ClusterLostError', message: 'gone', stack: '' },
      endTime: new Date(5),
    });
    expect(await clusters.get(cluster.id)).toEqual(await stored());
    await clusters.update(cluster.id, { failure: undefined });
    expect(await clusters.get(cluster.id)).toEqual(await stored());
    const before = await clusters.get(cluster.id);
    // A unit of work that fails after changing the cluster leaves nothing of it, also in what the store answers.
    await expect(
      store.transaction(async (tx) => {
        await tx.clusters.update(cluster.id, { status: 'STOPPED' });
        await tx.clusters.setLastJobEventSequence(cluster.id, 9);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await clusters.get(cluster.id)).toEqual(before);
    expect(await clusters.get(cluster.id)).toEqual(await stored());
  });

  it('keeps in memory only clusters that have not ended: an ended one is read from the database each time', async () => {
    const { clusters } = sqliteState();
    const cluster = testCluster({ status: 'RUNNING' });
    await clusters.insert(cluster);
    // A kept cluster is shared: the same object each time.
    expect(await clusters.get(cluster.id)).toBe(await clusters.get(cluster.id));
    await clusters.update(cluster.id, { status: 'STOPPED', endTime: new Date(5) });
    const ended = await clusters.get(cluster.id);
    expect(ended.status).toBe('STOPPED');
    expect(await clusters.get(cluster.id)).not.toBe(ended);
    expect(await clusters.get(cluster.id)).toEqual(ended);
  });

  it("finds an application's own clusters through an index, not a scan of every cluster", async () => {
    const { store, clusters, applications } = sqliteState();
    const owner = testApplication();
    await applications.insert(owner);
    const owned = testCluster({ ownerApplicationId: owner.id });
    await clusters.insert(owned);
    await clusters.insert(testCluster());
    expect((await clusters.activeOwnedBy(owner.id)).map((cluster) => cluster.id)).toEqual([owned.id]);
    const plan = store.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM clusters WHERE owner_application_id = ? AND status NOT IN ('STOPPED', 'FAILED') ORDER BY ordinal",
      )
      .all(owner.id) as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/USING INDEX clusters_by_owner/);
  });
});
