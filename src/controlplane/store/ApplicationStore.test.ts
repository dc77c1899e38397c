import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../common/errors.js';
import { testApplication, testCluster, testState } from '../testing/testState.js';
import { ApplicationStore } from './ApplicationStore.js';

describe('ApplicationStore', () => {
  it('stores an application and reads it back unchanged', () => {
    const { applications } = testState();
    const application = testApplication({
      properties: { b: '2', a: '1' },
      savepoint: { path: '/sp', allowNonRestoredState: true },
      requestId: 'r-1',
      requestFingerprint: 'f',
    });
    applications.insert(application);
    expect(applications.get(application.id)).toEqual(application);
    expect(applications.findByRequestId('r-1', '')?.id).toBe(application.id);
    expect(applications.findByRequestId('r-2', '')).toBeUndefined();
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
    const made = Array.from({ length: 5 }, (_, index) =>
      testApplication({ status: index % 2 === 0 ? 'RUNNING' : 'FINISHED' }),
    );
    for (const application of made) applications.insert(application);
    const first = applications.list({ pageSize: 2, pageToken: '', statuses: [], tenant: '' });
    expect(first.applications.map((application) => application.id)).toEqual([made[4].id, made[3].id]);
    const second = applications.list({ pageSize: 2, pageToken: first.nextPageToken, statuses: [], tenant: '' });
    expect(second.applications.map((application) => application.id)).toEqual([made[2].id, made[1].id]);
    const last = applications.list({ pageSize: 2, pageToken: second.nextPageToken, statuses: [], tenant: '' });
    expect(last.applications.map((application) => application.id)).toEqual([made[0].id]);
    expect(last.nextPageToken).toBe('');
    const running = applications.list({ pageSize: 0, pageToken: '', statuses: ['RUNNING'], tenant: '' });
    expect(running.applications.map((application) => application.id)).toEqual([made[4].id, made[2].id, made[0].id]);
    expect(() => applications.list({ pageSize: 2, pageToken: 'garbage', statuses: [], tenant: '' })).toThrow(
      /page_token is not one this control plane issued/,
    );
  });

  it("keeps tenants apart: list, get with a tenant, and the count of a tenant's running applications", () => {
    const { applications } = testState();
    const mine = testApplication({ tenant: 'team-a', status: 'RUNNING' });
    const ended = testApplication({ tenant: 'team-a', status: 'FINISHED' });
    const theirs = testApplication({ tenant: 'team-b', status: 'RUNNING' });
    for (const application of [mine, ended, theirs]) applications.insert(application);
    expect(
      applications
        .list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' })
        .applications.map((application) => application.id),
    ).toEqual([ended.id, mine.id]);
    expect(applications.list({ pageSize: 0, pageToken: '', statuses: [], tenant: '' }).applications).toEqual([]);
    expect(applications.get(mine.id, 'team-a').id).toBe(mine.id);
    const unknown = () => applications.get('app-none', 'team-a');
    expect(unknown).toThrow(NotFoundError);
    expect(() => applications.get(theirs.id, 'team-a')).toThrow(
      new NotFoundError(`application ${JSON.stringify(theirs.id)} is not known to this control plane`),
    );
    expect(applications.countActive('team-a')).toBe(1);
    expect(applications.countActive('team-c')).toBe(0);
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

  it('answers from the rows it keeps exactly what the database holds, through updates, event appends and rollbacks', () => {
    const { db, applications, log, clusters } = testState();
    const application = testApplication();
    applications.insert(application);
    const cluster = testCluster({ ownerApplicationId: application.id });
    clusters.insert(cluster);
    // What a new store over the same database reads, with nothing kept.
    const stored = () => new ApplicationStore(db).get(application.id);
    applications.get(application.id);
    applications.update(application.id, {
      status: 'RUNNING',
      clusterId: cluster.id,
      ownsCluster: true,
      jobIds: ['job-1'],
      failure: undefined,
    });
    log.append(application.id, { type: 'applicationStatusChanged', status: 'RUNNING', message: 'running' });
    expect(applications.get(application.id)).toEqual(stored());
    applications.update(application.id, {
      status: 'FAILED',
      endTime: new Date(),
      failure: { name: 'E', message: 'm', stack: '' },
      clientMainEndTime: new Date(),
      clientMainFailure: undefined,
    });
    expect(applications.get(application.id)).toEqual(stored());
    applications.update(application.id, { failure: undefined, clusterId: '' });
    expect(applications.get(application.id)).toEqual(stored());
    const before = applications.get(application.id);
    // A transaction that fails after changing the application leaves nothing of it, also in what the store answers.
    expect(() =>
      db.transaction(() => {
        applications.update(application.id, { status: 'CANCELED', driverJobId: 'job-9' });
        log.append(application.id, { type: 'applicationStatusChanged', status: 'CANCELED', message: 'never' });
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(applications.get(application.id)).toEqual(before);
    expect(applications.get(application.id)).toEqual(stored());
  });

  it('keeps in memory only applications that have not ended: an ended one is read from the database each time', () => {
    const { applications } = testState();
    const application = testApplication();
    applications.insert(application);
    applications.update(application.id, { status: 'RUNNING' });
    // A kept row is shared: the same object each time.
    expect(applications.get(application.id)).toBe(applications.get(application.id));
    applications.update(application.id, { status: 'FINISHED', endTime: new Date() });
    const ended = applications.get(application.id);
    expect(ended.status).toBe('FINISHED');
    expect(applications.get(application.id)).not.toBe(ended);
    expect(applications.get(application.id)).toEqual(ended);
  });
});
