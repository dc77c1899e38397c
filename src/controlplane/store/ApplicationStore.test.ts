import { describe, expect, it } from 'vitest';
import { testApplication, testCluster, testState } from '../testing/testState.js';

describe('ApplicationStore', () => {
  it('stores an application and reads it back unchanged', () => {
    const { applications } = testState();
    const application = testApplication({ properties: { b: '2', a: '1' }, savepoint: { path: '/sp', allowNonRestoredState: true }, requestId: 'r-1', requestFingerprint: 'f' });
    applications.insert(application);
    expect(applications.get(application.id)).toEqual(application);
    expect(applications.findByRequestId('r-1')?.id).toBe(application.id);
    expect(applications.findByRequestId('r-2')).toBeUndefined();
  });

  it('is NOT_FOUND, naming the id, for an unknown application', () => {
    const { applications } = testState();
    expect(() => applications.get('app-nope')).toThrow(/application "app-nope" is not known/);
  });

  it('refuses a second application under the same request id', () => {
    const { applications } = testState();
    applications.insert(testApplication({ requestId: 'same' }));
    expect(() => applications.insert(testApplication({ requestId: 'same' }))).toThrow(/UNIQUE/);
  });

  it('applies changes, and records the end of an application with its failure', () => {
    const { applications, clusters } = testState();
    const application = testApplication();
    applications.insert(application);
    const cluster = testCluster({ ownerApplicationId: application.id });
    clusters.insert(cluster);
    const endTime = new Date(Date.now() + 1000);
    applications.update(application.id, {
      status: 'FAILED',
      clusterId: cluster.id,
      ownsCluster: true,
      driverJobId: 'job-1',
      jobIds: ['job-2', 'job-3'],
      failure: { name: 'RangeError', message: 'bad', stack: 'at main' },
      endTime,
    });
    expect(applications.get(application.id)).toMatchObject({
      status: 'FAILED',
      clusterId: cluster.id,
      ownsCluster: true,
      driverJobId: 'job-1',
      jobIds: ['job-2', 'job-3'],
      failure: { name: 'RangeError', message: 'bad', stack: 'at main' },
      endTime,
    });
    expect(applications.active()).toEqual([]);
  });

  it('lists newest first, page by page, optionally of some statuses only', () => {
    const { applications } = testState();
    const made = Array.from({ length: 5 }, (_, index) => testApplication({ status: index % 2 === 0 ? 'RUNNING' : 'FINISHED' }));
    for (const application of made) applications.insert(application);
    const first = applications.list({ pageSize: 2, pageToken: '', statuses: [] });
    expect(first.applications.map((application) => application.id)).toEqual([made[4].id, made[3].id]);
    const second = applications.list({ pageSize: 2, pageToken: first.nextPageToken, statuses: [] });
    expect(second.applications.map((application) => application.id)).toEqual([made[2].id, made[1].id]);
    const last = applications.list({ pageSize: 2, pageToken: second.nextPageToken, statuses: [] });
    expect(last.applications.map((application) => application.id)).toEqual([made[0].id]);
    expect(last.nextPageToken).toBe('');
    const running = applications.list({ pageSize: 0, pageToken: '', statuses: ['RUNNING'] });
    expect(running.applications.map((application) => application.id)).toEqual([made[4].id, made[2].id, made[0].id]);
    expect(() => applications.list({ pageSize: 2, pageToken: 'garbage', statuses: [] })).toThrow(/page_token is not one this control plane issued/);
  });

  it('finds the applications that have not ended, all or on one cluster', () => {
    const { applications, clusters } = testState();
    const cluster = testCluster();
    clusters.insert(cluster);
    const onCluster = testApplication({ status: 'RUNNING', clusterId: cluster.id });
    const elsewhere = testApplication({ status: 'DEPLOYING' });
    const ended = testApplication({ status: 'CANCELED', clusterId: cluster.id });
    for (const application of [onCluster, elsewhere, ended]) applications.insert(application);
    expect(applications.active().map((application) => application.id)).toEqual([onCluster.id, elsewhere.id]);
    expect(applications.activeOnCluster(cluster.id).map((application) => application.id)).toEqual([onCluster.id]);
  });
});
