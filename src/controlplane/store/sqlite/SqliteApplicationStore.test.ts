/**
 * What is particular to the SQLite applications: the rows kept in memory answer exactly what the
 * database holds, and SQLite's own refusal of a duplicate request id. The behaviour every store
 * shares is in test/contracts/controlPlaneStore.contract.ts.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../common/testing/tempDir.js';
import { ApplicationEventLog } from '../../events/ApplicationEventLog.js';
import { testApplication, testCluster } from '../../testing/testRecords.js';
import { openSqliteControlPlaneStore, SqliteControlPlaneStore } from './SqliteControlPlaneStore.js';

function sqliteState() {
  const store = openSqliteControlPlaneStore(tempDir(), { groupCommit: false });
  return {
    store,
    applications: store.applications,
    clusters: store.clusters,
    log: new ApplicationEventLog(store.events, store.applications),
  };
}

describe('SqliteApplicationStore', () => {
  it('refuses a second application under the same request id with the UNIQUE constraint', async () => {
    const { applications } = sqliteState();
    await applications.insert(testApplication({ requestId: 'same' }));
    await expect(applications.insert(testApplication({ requestId: 'same' }))).rejects.toThrow(/UNIQUE/);
  });

  it('answers from the rows it keeps exactly what the database holds, through updates, event appends and rollbacks', async () => {
    const { store, applications, log, clusters } = sqliteState();
    const application = testApplication();
    await applications.insert(application);
    const cluster = testCluster({ ownerApplicationId: application.id });
    await clusters.insert(cluster);
    // What a new store over the same database reads, with nothing kept.
    const stored = () => new SqliteControlPlaneStore(store.db, undefined).applications.get(application.id);
    await applications.get(application.id);
    await applications.update(application.id, {
      status: 'RUNNING',
      clusterId: cluster.id,
      ownsCluster: true,
      jobIds: ['job-1'],
      failure: undefined,
    });
    await store.transaction((tx) =>
      log.append(tx, application.id, { type: 'applicationStatusChanged', status: 'RUNNING', message: 'running' }),
    );
    expect(await applications.get(application.id)).toEqual(await stored());
    await applications.update(application.id, {
      status: 'FAILED',
      endTime: new Date(),
      failure: { name: 'E', message: 'm', stack: '' },
      clientMainEndTime: new Date(),
      clientMainFailure: undefined,
    });
    expect(await applications.get(application.id)).toEqual(await stored());
    await applications.update(application.id, { failure: undefined, clusterId: '' });
    expect(await applications.get(application.id)).toEqual(await stored());
    const before = await applications.get(application.id);
    // A unit of work that fails after changing the application leaves nothing of it, also in what the store answers.
    await expect(
      store.transaction(async (tx) => {
        await tx.applications.update(application.id, { status: 'CANCELED', driverJobId: 'job-9' });
        await log.append(tx, application.id, {
          type: 'applicationStatusChanged',
          status: 'CANCELED',
          message: 'never',
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await applications.get(application.id)).toEqual(before);
    expect(await applications.get(application.id)).toEqual(await stored());
  });

  it('keeps in memory only applications that have not ended: an ended one is read from the database each time', async () => {
    const { applications } = sqliteState();
    const application = testApplication();
    await applications.insert(application);
    await applications.update(application.id, { status: 'RUNNING' });
    // A kept row is shared: the same object each time.
    expect(await applications.get(application.id)).toBe(await applications.get(application.id));
    await applications.update(application.id, { status: 'FINISHED', endTime: new Date() });
    const ended = await applications.get(application.id);
    expect(ended.status).toBe('FINISHED');
    expect(await applications.get(application.id)).not.toBe(ended);
    expect(await applications.get(application.id)).toEqual(ended);
  });
});
