/**
 * The contract of the control plane's store port (src/controlplane/store/ControlPlaneStore.ts):
 * what every implementation must do, checked through the port only. An implementation runs it by
 * calling {@link describeControlPlaneStoreContract} with a harness that opens new stores; the
 * SQLite store runs it in controlPlaneStore.sqlite.test.ts and the PostgreSQL store, unchanged, in
 * controlPlaneStore.postgres.test.ts. What is about one implementation (group commit, statement reuse, the rows it
 * keeps in memory) is tested beside that implementation instead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../src/common/errors.js';
import type { ApplicationEventKind } from '../../src/controlplane/model/ApplicationEvent.js';
import type { Job } from '../../src/controlplane/model/Job.js';
import type { ControlPlaneStore } from '../../src/controlplane/store/ControlPlaneStore.js';
import { UnknownClusterError } from '../../src/controlplane/store/ClusterStore.js';
import { FencedWriteError } from '../../src/controlplane/store/FollowerLeaseStore.js';
import { testApplication, testCluster } from '../../src/controlplane/testing/testRecords.js';

/** How the contract gets stores of the implementation under test. */
export interface ControlPlaneStoreHarness {
  /** Opens a new, empty store (migrated to the newest schema). */
  open(): Promise<ControlPlaneStore>;
  /** Opens a store over state that a newer Flotilla wrote (a schema version past the newest known): it must be refused. */
  openWrittenByNewerVersion(): Promise<ControlPlaneStore>;
}

const DAY = 86_400_000;

function note(message: string): ApplicationEventKind {
  return { type: 'clusterStatusChanged', clusterId: 'c', status: 'RUNNING', message, jobmanagerAddress: '' };
}

function messageOf(kind: ApplicationEventKind): string {
  return 'message' in kind ? kind.message : '';
}

function job(id: string, applicationId: string, clusterId: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    applicationId,
    clusterId,
    name: id,
    livingPriority: 'NORMAL',
    status: 'RUNNING',
    restarts: 0,
    requestId: '',
    createTime: new Date(1_000),
    ...overrides,
  };
}

const ids = <T extends { id: string }>(records: readonly T[]) => records.map((record) => record.id);

/** Describes the store contract for the implementation called `name`. */
export function describeControlPlaneStoreContract(name: string, harness: ControlPlaneStoreHarness): void {
  describe(`ControlPlaneStore contract: ${name}`, () => {
    const opened: ControlPlaneStore[] = [];
    const open = async () => {
      const store = await harness.open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    describe('driver submissions', () => {
      const submission = (applicationId: string, attempt: number, ordinal: number, jobId: string) => ({
        applicationId,
        attempt,
        ordinal,
        fingerprint: `f-${ordinal}`,
        jobId,
        jobName: `job ${ordinal}`,
        clusterId: 'c-1',
        submitTime: new Date(1_000 * ordinal),
      });

      it('records each submission once by attempt and ordinal, and its end with the result once', async () => {
        const store = await open();
        const application = testApplication({ driverAttempts: 2 });
        await store.applications.insert(application);
        await store.driverSubmissions.record(submission(application.id, 1, 2, 'job-2'));
        await store.driverSubmissions.record(submission(application.id, 1, 1, 'job-1'));
        // The same submission heard of again (a relayed event repeated after a restart) changes nothing.
        await store.driverSubmissions.record(submission(application.id, 1, 1, 'job-1'));
        await expect(store.driverSubmissions.record(submission(application.id, 1, 1, 'job-9'))).rejects.toThrow(
          /submission 1 of attempt 1 .* is job job-1, not job-9/,
        );
        const result = new Uint8Array([1, 2, 3]);
        await store.driverSubmissions.ended('job-1', { status: 'FINISHED', result, endTime: new Date(5_000) });
        // A recorded end is final.
        await store.driverSubmissions.ended('job-1', { status: 'FAILED', endTime: new Date(6_000) });
        // A later attempt that replayed job-1 records it under its own attempt.
        await store.driverSubmissions.record({
          ...submission(application.id, 2, 1, 'job-1'),
          status: 'FINISHED',
          result,
          endTime: new Date(5_000),
        });
        const recorded = await store.driverSubmissions.ofApplication(application.id);
        expect(recorded.map((row) => [row.attempt, row.ordinal, row.jobId])).toEqual([
          [1, 1, 'job-1'],
          [1, 2, 'job-2'],
          [2, 1, 'job-1'],
        ]);
        expect(recorded[0]).toEqual({
          ...submission(application.id, 1, 1, 'job-1'),
          status: 'FINISHED',
          result,
          endTime: new Date(5_000),
        });
        expect(recorded[1].status).toBeUndefined();
        expect(recorded[1].result).toBeUndefined();
        expect(await store.driverSubmissions.ofApplication('another')).toEqual([]);
      });

      it('keeps a submission recorded in a unit of work only when the unit commits', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        await expect(
          store.transaction(async (tx) => {
            await tx.driverSubmissions.record(submission(application.id, 1, 1, 'job-1'));
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(await store.driverSubmissions.ofApplication(application.id)).toEqual([]);
      });
    });

    describe('applications', () => {
      it('stores an application and reads it back unchanged, also by request id', async () => {
        const store = await open();
        const application = testApplication({
          properties: { b: '2', a: '1' },
          savepoint: { path: '/sp', allowNonRestoredState: true },
          requestId: 'r-1',
          requestFingerprint: 'f',
        });
        await store.applications.insert(application);
        expect(await store.applications.get(application.id)).toEqual(application);
        expect(await store.applications.find(application.id)).toEqual(application);
        expect((await store.applications.findByRequestId('r-1', ''))?.id).toBe(application.id);
        expect(await store.applications.findByRequestId('r-2', '')).toBeUndefined();
        expect(await store.applications.findByRequestId('r-1', 'another-tenant')).toBeUndefined();
      });

      it('is NOT_FOUND, naming the id, for an unknown application, and find answers undefined', async () => {
        const store = await open();
        await expect(store.applications.get('app-nope')).rejects.toThrow(
          new NotFoundError('application "app-nope" is not known to this control plane'),
        );
        expect(await store.applications.find('app-nope')).toBeUndefined();
      });

      it('refuses a second application under the same request id of a tenant', async () => {
        const store = await open();
        await store.applications.insert(testApplication({ requestId: 'same' }));
        await expect(store.applications.insert(testApplication({ requestId: 'same' }))).rejects.toThrow();
      });

      it('applies changes, and records the end of an application with its failure', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        const cluster = testCluster({ ownerApplicationId: application.id });
        await store.clusters.insert(cluster);
        const endTime = new Date(Date.now() + 1000);
        await store.applications.update(application.id, {
          status: 'FAILED',
          clusterId: cluster.id,
          ownsCluster: true,
          driverJobId: 'job-1',
          jobIds: ['job-2', 'job-3'],
          failure: { name: 'RangeError', message: 'bad', stack: 'at main' },
          endTime,
        });
        expect(await store.applications.get(application.id)).toMatchObject({
          status: 'FAILED',
          clusterId: cluster.id,
          ownsCluster: true,
          driverJobId: 'job-1',
          jobIds: ['job-2', 'job-3'],
          failure: { name: 'RangeError', message: 'bad', stack: 'at main' },
          endTime,
        });
        expect(await store.applications.active()).toEqual([]);
      });

      it('keeps the driver attempts allowed and each attempt started, with its cause once it ended', async () => {
        const store = await open();
        const application = testApplication({ driverAttempts: 3 });
        await store.applications.insert(application);
        const first = { number: 1, driverJobId: 'job-1', clusterId: 'c-1', startTime: new Date(1_000) };
        await store.applications.update(application.id, { attempts: [first] });
        const attempts = [
          {
            ...first,
            endTime: new Date(2_000),
            cause: { name: 'DriverLostError', message: 'the driver was lost', stack: '' },
            category: 'INFRASTRUCTURE' as const,
          },
          { number: 2, driverJobId: 'job-2', clusterId: 'c-1', startTime: new Date(3_000) },
        ];
        await store.applications.update(application.id, { attempts });
        expect(await store.applications.get(application.id)).toMatchObject({ driverAttempts: 3, attempts });
        const [reopened] = (await store.applications.list({ pageSize: 10, pageToken: '', statuses: [], tenant: '' }))
          .applications;
        expect(reopened).toMatchObject({ driverAttempts: 3, attempts });
      });

      it('keeps the latest savepoint and the resolved restore, and finds the newest application of a name of a tenant', async () => {
        const store = await open();
        const restore = {
          path: '',
          allowNonRestoredState: true,
          resume: true,
          resumedFrom: 'app-old',
          jobs: [{ jobName: 'counts', path: '/checkpoints/job-1' }],
        };
        const first = testApplication({ name: 'counter', savepoint: restore });
        const second = testApplication({ name: 'counter' });
        const other = testApplication({ name: 'counter', tenant: 'team-b' });
        for (const application of [first, second, other]) await store.applications.insert(application);
        const savepoint = {
          applicationId: second.id,
          path: '/savepoints/app-savepoint-1',
          jobs: [{ jobId: 'job-2', jobName: 'counts', path: '/savepoints/savepoint-job-2' }],
          createTime: new Date(5_000),
        };
        // Read once before the change, so a store that keeps rows in memory must change what it kept.
        expect((await store.applications.get(second.id)).lastSavepoint).toBeUndefined();
        await store.applications.update(second.id, { lastSavepoint: savepoint });
        expect(await store.applications.get(second.id)).toEqual({ ...second, lastSavepoint: savepoint });
        expect((await store.applications.get(first.id)).savepoint).toEqual(restore);
        expect((await store.applications.findLatestByName('counter', ''))?.id).toBe(second.id);
        expect((await store.applications.findLatestByName('counter', 'team-b'))?.id).toBe(other.id);
        expect(await store.applications.findLatestByName('counter', 'team-c')).toBeUndefined();
        expect(await store.applications.findLatestByName('another', '')).toBeUndefined();
      });

      it('clears a failure and a cluster, and records the end of a client-side main()', async () => {
        const store = await open();
        const application = testApplication({ mode: 'SESSION', status: 'RUNNING' });
        await store.applications.insert(application);
        await store.applications.update(application.id, { failure: { name: 'E', message: 'm', stack: '' } });
        await store.applications.update(application.id, { failure: undefined, clusterId: '' });
        const clientMainEndTime = new Date(5_000);
        await store.applications.update(application.id, {
          clientMainEndTime,
          clientMainFailure: { name: 'Boom', message: 'main threw', stack: '' },
        });
        const read = await store.applications.get(application.id);
        expect(read.failure).toBeUndefined();
        expect(read.clusterId).toBe('');
        expect(read).toMatchObject({
          clientMainEndTime,
          clientMainFailure: { name: 'Boom', message: 'main threw', stack: '' },
        });
      });

      it('lists newest first, page by page, optionally of some statuses only; a foreign page token is INVALID_ARGUMENT', async () => {
        const store = await open();
        const made = Array.from({ length: 5 }, (_, index) =>
          testApplication({ status: index % 2 === 0 ? 'RUNNING' : 'FINISHED' }),
        );
        for (const application of made) await store.applications.insert(application);
        const request = { pageSize: 2, pageToken: '', statuses: [], tenant: '' };
        const first = await store.applications.list(request);
        expect(ids(first.applications)).toEqual([made[4].id, made[3].id]);
        const second = await store.applications.list({ ...request, pageToken: first.nextPageToken });
        expect(ids(second.applications)).toEqual([made[2].id, made[1].id]);
        const last = await store.applications.list({ ...request, pageToken: second.nextPageToken });
        expect(ids(last.applications)).toEqual([made[0].id]);
        expect(last.nextPageToken).toBe('');
        const running = await store.applications.list({ ...request, pageSize: 0, statuses: ['RUNNING'] });
        expect(ids(running.applications)).toEqual([made[4].id, made[2].id, made[0].id]);
        await expect(store.applications.list({ ...request, pageToken: 'garbage' })).rejects.toThrow(
          InvalidArgumentError,
        );
        const clusters = await store.clusters.list({ pageSize: 1, pageToken: '', statuses: [], tenant: '' });
        expect(clusters.nextPageToken).toBe('');
      });

      it("issues page tokens that are the tenant's own and show nothing of other tenants' rows", async () => {
        const [crowded, fresh] = [await open(), await open()];
        const mine = Array.from({ length: 3 }, () => testApplication({ tenant: 'team-a' }));
        // Other tenants' rows between the tenant's own ones in one store, none in the other.
        for (const application of mine) {
          for (let other = 0; other < 2; other++)
            await crowded.applications.insert(testApplication({ tenant: 'team-b' }));
          await crowded.applications.insert(application);
          await fresh.applications.insert(application);
        }
        const request = { pageSize: 1, pageToken: '', statuses: [], tenant: 'team-a' };
        const tokens: string[][] = [];
        for (const store of [crowded, fresh]) {
          const seen: string[] = [];
          const issued: string[] = [];
          let page = await store.applications.list(request);
          seen.push(...ids(page.applications));
          while (page.nextPageToken) {
            issued.push(page.nextPageToken);
            page = await store.applications.list({ ...request, pageToken: page.nextPageToken });
            seen.push(...ids(page.applications));
          }
          expect(seen).toEqual(ids([...mine].reverse()));
          tokens.push(issued);
        }
        // The same positions of the tenant's list give tokens of the same form, however many rows others made.
        expect(tokens[0].map((token) => token.length)).toEqual(tokens[1].map((token) => token.length));
        const token = tokens[0][0];
        // A token is good only for the tenant and the list it was issued for, and only unaltered.
        const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
        for (const refused of [
          crowded.applications.list({ ...request, tenant: 'team-b', pageToken: token }),
          crowded.applications.list({ ...request, pageToken: altered }),
          crowded.clusters.list({ pageSize: 1, pageToken: token, statuses: [], tenant: 'team-a' }),
          crowded.jobs.list({ pageSize: 1, pageToken: token, applicationId: '', clusterId: '', tenant: 'team-a' }),
        ])
          await expect(refused).rejects.toThrow(InvalidArgumentError);
      });

      it("keeps tenants apart: list, get with a tenant, and the count of a tenant's running applications", async () => {
        const store = await open();
        const mine = testApplication({ tenant: 'team-a', status: 'RUNNING' });
        const ended = testApplication({ tenant: 'team-a', status: 'FINISHED' });
        const theirs = testApplication({ tenant: 'team-b', status: 'RUNNING' });
        for (const application of [mine, ended, theirs]) await store.applications.insert(application);
        const page = await store.applications.list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' });
        expect(ids(page.applications)).toEqual([ended.id, mine.id]);
        expect(
          (await store.applications.list({ pageSize: 0, pageToken: '', statuses: [], tenant: '' })).applications,
        ).toEqual([]);
        expect((await store.applications.get(mine.id, 'team-a')).id).toBe(mine.id);
        await expect(store.applications.get('app-none', 'team-a')).rejects.toThrow(NotFoundError);
        // Another tenant's application is answered as an unknown one: the id reveals nothing.
        await expect(store.applications.get(theirs.id, 'team-a')).rejects.toThrow(
          new NotFoundError(`application ${JSON.stringify(theirs.id)} is not known to this control plane`),
        );
        expect(await store.applications.countActive('team-a')).toBe(1);
        expect(await store.applications.countActive('team-c')).toBe(0);
      });

      it('finds the applications that have not ended: all, on one cluster, and those awaiting a client-side main()', async () => {
        const store = await open();
        const cluster = testCluster();
        await store.clusters.insert(cluster);
        const onCluster = testApplication({ status: 'RUNNING', clusterId: cluster.id });
        const elsewhere = testApplication({ status: 'DEPLOYING' });
        const ended = testApplication({ status: 'CANCELED', clusterId: cluster.id });
        const session = testApplication({ status: 'RUNNING', mode: 'SESSION' });
        const reported = testApplication({ status: 'RUNNING', mode: 'PER_JOB' });
        for (const application of [onCluster, elsewhere, ended, session, reported])
          await store.applications.insert(application);
        await store.applications.update(reported.id, { clientMainEndTime: new Date() });
        expect(ids(await store.applications.active())).toEqual([onCluster.id, elsewhere.id, session.id, reported.id]);
        expect(ids(await store.applications.activeOnCluster(cluster.id))).toEqual([onCluster.id]);
        expect(await store.applications.awaitingClientMain()).toEqual([
          { applicationId: session.id, silentMs: undefined },
        ]);
      });

      it('records the heartbeats of a client-side main() by the store’s clock, and says how long its client has been silent', async () => {
        const store = await open();
        const session = testApplication({ status: 'RUNNING', mode: 'SESSION' });
        await store.applications.insert(session);
        const before = await store.applications.get(session.id);
        await store.applications.recordClientHeartbeat(session.id);
        const [heard] = await store.applications.awaitingClientMain();
        expect(heard.applicationId).toBe(session.id);
        expect(heard.silentMs).toBeGreaterThanOrEqual(0);
        expect(heard.silentMs).toBeLessThan(5000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const [silent] = await store.applications.awaitingClientMain();
        expect(silent.silentMs).toBeGreaterThanOrEqual(heard.silentMs! + 150);
        // A new heartbeat starts the silence over; the application itself is unchanged.
        await store.applications.recordClientHeartbeat(session.id);
        const [again] = await store.applications.awaitingClientMain();
        expect(again.silentMs).toBeLessThan(silent.silentMs!);
        expect(await store.applications.get(session.id)).toEqual(before);
        // Once its main() reported its end, nobody waits for its heartbeats.
        await store.applications.update(session.id, { clientMainEndTime: new Date() });
        expect(await store.applications.awaitingClientMain()).toEqual([]);
      });
    });

    describe('application events', () => {
      it('numbers each application’s events from 1 without gaps, moves its last sequence, and reads after a sequence', async () => {
        const store = await open();
        const [first, second] = [testApplication(), testApplication()];
        for (const application of [first, second]) await store.applications.insert(application);
        const time = new Date(7_000);
        expect((await store.events.append(first.id, note('a'), time)).sequence).toBe(1);
        expect((await store.events.append(second.id, note('x'))).sequence).toBe(1);
        expect(await store.events.append(first.id, note('b'), time)).toEqual({
          applicationId: first.id,
          sequence: 2,
          time,
          kind: note('b'),
        });
        expect((await store.events.append(first.id, note('c'))).sequence).toBe(3);
        expect((await store.applications.get(first.id)).lastEventSequence).toBe(3);
        expect((await store.applications.get(second.id)).lastEventSequence).toBe(1);
        const all = await store.events.read(first.id, 0, 10);
        expect(all.map((event) => [event.sequence, messageOf(event.kind)])).toEqual([
          [1, 'a'],
          [2, 'b'],
          [3, 'c'],
        ]);
        expect(all[0].time).toEqual(time);
        expect((await store.events.read(first.id, 1, 1)).map((event) => event.sequence)).toEqual([2]);
        expect(await store.events.read(first.id, 3, 10)).toEqual([]);
        expect(await store.events.kept(first.id)).toEqual({ firstKeptSequence: 1 });
      });

      it('reads the events of one type, in order', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        const started = {
          type: 'jobStatusChanged' as const,
          jobId: 'j1',
          jobName: 'one',
          status: 'RUNNING' as const,
          livingPriority: 'NORMAL' as const,
        };
        await store.events.append(application.id, started);
        await store.events.append(application.id, note('between'));
        await store.events.append(application.id, { ...started, status: 'FINISHED' });
        expect(await store.events.readOfType(application.id, 'jobStatusChanged')).toEqual([
          started,
          { ...started, status: 'FINISHED' },
        ]);
      });

      it('refuses an event of an unknown application', async () => {
        const store = await open();
        await expect(store.events.append('app-nope', note('x'))).rejects.toThrow(/app-nope/);
      });

      it('leaves no event and no gap behind a rolled-back transaction', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        await store.events.append(application.id, note('alone'));
        await expect(
          store.transaction(async (tx) => {
            expect((await tx.events.append(application.id, note('never'))).sequence).toBe(2);
            expect((await tx.applications.get(application.id)).lastEventSequence).toBe(2);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect((await store.applications.get(application.id)).lastEventSequence).toBe(1);
        const kept = await store.transaction((tx) => tx.events.append(application.id, note('kept')));
        expect(kept.sequence).toBe(2);
        expect((await store.events.read(application.id, 0, 10)).map((event) => messageOf(event.kind))).toEqual([
          'alone',
          'kept',
        ]);
      });

      it('reads an application for update as find does, in a unit and outside one', async () => {
        const store = await open();
        const application = testApplication({ status: 'RUNNING' });
        await store.applications.insert(application);
        // Waiting for other units' locks is the PostgreSQL store's to show (test/controlplane/postgresStore.test.ts).
        const inUnit = await store.transaction(async (tx) => {
          const read = await tx.applications.findForUpdate(application.id);
          await tx.applications.update(application.id, { status: 'FINISHED', endTime: new Date(5_000) });
          return { read, after: await tx.applications.findForUpdate(application.id) };
        });
        expect(inUnit.read).toEqual(application);
        expect(inUnit.after?.status).toBe('FINISHED');
        expect(await store.applications.findForUpdate(application.id)).toEqual(
          await store.applications.get(application.id),
        );
        expect(await store.applications.findForUpdate('app-nope')).toBeUndefined();
      });
    });

    describe('clusters', () => {
      it("stores a cluster with its deployment target's reference and reads it back unchanged; UnknownClusterError names an unknown id", async () => {
        const store = await open();
        const cluster = testCluster({
          deploymentReference: '/state/clusters/c',
          spec: {
            taskExecutors: 2,
            slotsPerTaskExecutor: 3,
            taskExecutorResources: { cpus: 2, heapMemoryMb: 512, directMemoryMb: 0, nativeMemoryMb: 0 },
            properties: { k: 'v' },
          },
          requestId: 'r',
          clusterSecret: 's'.repeat(43),
        });
        await store.clusters.insert(cluster);
        expect(await store.clusters.get(cluster.id)).toEqual(cluster);
        expect(await store.clusters.find(cluster.id)).toEqual(cluster);
        expect((await store.clusters.findByRequestId('r', ''))?.id).toBe(cluster.id);
        expect(await store.clusters.findByRequestId('r', 'team-z')).toBeUndefined();
        await expect(store.clusters.get('cluster-nope')).rejects.toThrow(UnknownClusterError);
        await expect(store.clusters.get('cluster-nope')).rejects.toThrow(
          'cluster "cluster-nope" is not known to this control plane',
        );
        expect(await store.clusters.find('cluster-nope')).toBeUndefined();
      });

      it("records the deployment target's reference once given, changes, and the last consumed job event", async () => {
        const store = await open();
        const cluster = testCluster({ status: 'DEPLOYING', jobmanagerAddress: '', deploymentReference: '' });
        await store.clusters.insert(cluster);
        await store.clusters.update(cluster.id, { deploymentReference: '/state/clusters/c' });
        await store.clusters.update(cluster.id, {
          status: 'RUNNING',
          jobmanagerAddress: '127.0.0.1:7',
          registeredTaskExecutors: 2,
        });
        await store.clusters.setLastJobEventSequence(cluster.id, 42);
        const stored = await store.clusters.get(cluster.id);
        expect(stored).toMatchObject({
          deploymentReference: '/state/clusters/c',
          status: 'RUNNING',
          jobmanagerAddress: '127.0.0.1:7',
          registeredTaskExecutors: 2,
          lastJobEventSequence: 42,
        });
        await store.clusters.update(cluster.id, {
          status: 'FAILED',
          failure: { name: 'ClusterLostError', message: 'gone', stack: '' },
          endTime: new Date(5),
        });
        expect(await store.clusters.get(cluster.id)).toMatchObject({
          status: 'FAILED',
          failure: { name: 'ClusterLostError' },
          endTime: new Date(5),
        });
        await store.clusters.update(cluster.id, { failure: undefined });
        expect((await store.clusters.get(cluster.id)).failure).toBeUndefined();
        expect(await store.clusters.active()).toEqual([]);
      });

      it('lists newest first with a status filter and pages, and finds live clusters by address', async () => {
        const store = await open();
        const external = testCluster({ deploymentTarget: 'external', jobmanagerAddress: '127.0.0.1:9000' });
        const stopped = testCluster({
          deploymentTarget: 'external',
          jobmanagerAddress: '127.0.0.1:9001',
          status: 'STOPPED',
        });
        const local = testCluster({ jobmanagerAddress: '127.0.0.1:9004' });
        const deploying = testCluster({ jobmanagerAddress: '127.0.0.1:9005', status: 'DEPLOYING' });
        for (const cluster of [external, stopped, local, deploying]) await store.clusters.insert(cluster);
        const request = { pageSize: 0, pageToken: '', statuses: [], tenant: '' };
        expect(ids((await store.clusters.list(request)).clusters)).toEqual([
          deploying.id,
          local.id,
          stopped.id,
          external.id,
        ]);
        const page = await store.clusters.list({ ...request, pageSize: 1, statuses: ['RUNNING'] });
        expect(ids(page.clusters)).toEqual([local.id]);
        const next = await store.clusters.list({
          ...request,
          pageSize: 1,
          statuses: ['RUNNING'],
          pageToken: page.nextPageToken,
        });
        expect(ids(next.clusters)).toEqual([external.id]);
        await expect(store.clusters.list({ ...request, pageToken: 'garbage' })).rejects.toThrow(InvalidArgumentError);
        expect((await store.clusters.findLiveExternal('127.0.0.1:9000', ''))?.id).toBe(external.id);
        expect(await store.clusters.findLiveExternal('127.0.0.1:9001', '')).toBeUndefined();
        expect(await store.clusters.findLiveExternal('127.0.0.1:9004', '')).toBeUndefined();
        expect((await store.clusters.findLiveDeployed('127.0.0.1:9004', ''))?.id).toBe(local.id);
        expect(await store.clusters.findLiveDeployed('127.0.0.1:9000', '')).toBeUndefined();
        expect(await store.clusters.findLiveDeployed('127.0.0.1:9005', '')).toBeUndefined();
        expect(ids(await store.clusters.active())).toEqual([external.id, local.id, deploying.id]);
      });

      it('keeps tenants apart', async () => {
        const store = await open();
        const mine = testCluster({
          tenant: 'team-a',
          deploymentTarget: 'external',
          jobmanagerAddress: '127.0.0.1:9002',
        });
        const theirs = testCluster({ tenant: 'team-b', jobmanagerAddress: '127.0.0.1:9003' });
        for (const cluster of [mine, theirs]) await store.clusters.insert(cluster);
        expect(
          ids((await store.clusters.list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' })).clusters),
        ).toEqual([mine.id]);
        await expect(store.clusters.get(theirs.id, 'team-a')).rejects.toThrow(
          `cluster ${JSON.stringify(theirs.id)} is not known to this control plane`,
        );
        expect((await store.clusters.get(theirs.id, 'team-b')).id).toBe(theirs.id);
        expect(await store.clusters.findLiveExternal('127.0.0.1:9002', 'team-b')).toBeUndefined();
        expect(await store.clusters.findLiveDeployed('127.0.0.1:9003', 'team-a')).toBeUndefined();
        expect((await store.clusters.findLiveDeployed('127.0.0.1:9003', 'team-b'))?.id).toBe(theirs.id);
      });

      it("counts a tenant's deployed clusters that deploy or run and the task executors they ask for, inside a unit of work too", async () => {
        const store = await open();
        const spec = (taskExecutors: number) => ({ taskExecutors, slotsPerTaskExecutor: 1, properties: {} });
        const owner = testApplication({ tenant: 'team-a' });
        await store.applications.insert(owner);
        const clusters = [
          testCluster({ tenant: 'team-a', spec: spec(2) }),
          testCluster({ tenant: 'team-a', spec: spec(3), status: 'DEPLOYING', ownerApplicationId: owner.id }),
          testCluster({ tenant: 'team-a', spec: spec(1), status: 'STOPPING' }),
          testCluster({ tenant: 'team-a', spec: spec(5), status: 'STOPPED' }),
          testCluster({ tenant: 'team-a', spec: spec(7), status: 'FAILED' }),
          testCluster({ tenant: 'team-a', spec: spec(0), deploymentTarget: 'external' }),
          testCluster({ tenant: 'team-b', spec: spec(4) }),
        ];
        for (const cluster of clusters) await store.clusters.insert(cluster);
        expect(await store.clusters.countLive('team-a')).toEqual({ clusters: 2, taskExecutors: 5 });
        expect(await store.clusters.countLive('team-b')).toEqual({ clusters: 1, taskExecutors: 4 });
        expect(await store.clusters.countLive('team-z')).toEqual({ clusters: 0, taskExecutors: 0 });
        // Counted and recorded in one unit, as the control plane checks a limit; a unit rolled back leaves the count as it was.
        await store.transaction(async (tx) => {
          expect(await tx.clusters.countLive('team-b')).toEqual({ clusters: 1, taskExecutors: 4 });
          await tx.clusters.insert(testCluster({ tenant: 'team-b', spec: spec(2), status: 'DEPLOYING' }));
          expect(await tx.clusters.countLive('team-b')).toEqual({ clusters: 2, taskExecutors: 6 });
        });
        await expect(
          store.transaction(async (tx) => {
            await tx.clusters.insert(testCluster({ tenant: 'team-b', spec: spec(9) }));
            throw new Error('over the limit');
          }),
        ).rejects.toThrow('over the limit');
        expect(await store.clusters.countLive('team-b')).toEqual({ clusters: 2, taskExecutors: 6 });
        await store.clusters.update(clusters[0]!.id, { status: 'STOPPED', endTime: new Date() });
        expect(await store.clusters.countLive('team-a')).toEqual({ clusters: 1, taskExecutors: 3 });
      });

      it('finds the clusters an application owns that have not ended', async () => {
        const store = await open();
        const owner = testApplication();
        await store.applications.insert(owner);
        const owned = testCluster({ ownerApplicationId: owner.id });
        const ownedEnded = testCluster({ ownerApplicationId: owner.id, status: 'STOPPED' });
        for (const cluster of [owned, ownedEnded, testCluster()]) await store.clusters.insert(cluster);
        expect(ids(await store.clusters.activeOwnedBy(owner.id))).toEqual([owned.id]);
        expect(await store.clusters.activeOwnedBy('app-other')).toEqual([]);
      });
    });

    describe('jobs', () => {
      it('records a job once, keeps what a known job has, and moves its status until it ended', async () => {
        const store = await open();
        const cluster = testCluster();
        await store.clusters.insert(cluster);
        const application = testApplication();
        await store.applications.insert(application);
        await store.jobs.insert(job('j1', application.id, cluster.id));
        // Heard of again (a submission answered after the relayed event): it keeps its status, gains the request id.
        await store.jobs.insert(job('j1', application.id, cluster.id, { status: 'CREATED', requestId: 'req' }));
        expect(await store.jobs.get('j1')).toMatchObject({ status: 'RUNNING', requestId: 'req' });
        expect((await store.jobs.findByRequestId(application.id, 'req'))?.id).toBe('j1');
        expect(await store.jobs.findByRequestId(application.id, 'other')).toBeUndefined();
        await store.jobs.updateStatus('j1', 'RESTARTING', undefined);
        await store.jobs.updateStatus('j1', 'RUNNING', undefined);
        await store.jobs.updateStatus('j1', 'RESTARTING', undefined);
        const failure = { name: 'Boom', message: 'failed', stack: '' };
        const endTime = new Date(9_000);
        await store.jobs.updateStatus('j1', 'FAILED', failure, endTime);
        // A terminal status is final: a late event does not revive the job.
        await store.jobs.updateStatus('j1', 'RUNNING', undefined);
        expect(await store.jobs.get('j1')).toEqual({
          ...job('j1', application.id, cluster.id, { requestId: 'req' }),
          status: 'FAILED',
          restarts: 2,
          failure,
          endTime,
        });
        expect(await store.jobs.find('j-none')).toBeUndefined();
        await expect(store.jobs.get('j-none')).rejects.toThrow(
          new NotFoundError('job "j-none" is not known to this control plane'),
        );
      });

      it('moves a job lost with its cluster to another cluster, RESTARTING, with one more restart, whatever its status (replay)', async () => {
        const store = await open();
        const lost = testCluster();
        const next = testCluster();
        await store.clusters.insert(lost);
        await store.clusters.insert(next);
        const application = testApplication();
        await store.applications.insert(application);
        await store.jobs.insert(job('j1', application.id, lost.id));
        await store.jobs.updateStatus('j1', 'FAILED', undefined, new Date(9_000));
        await store.jobs.restartOn('j1', next.id);
        expect(await store.jobs.get('j1')).toMatchObject({ clusterId: next.id, status: 'RESTARTING', restarts: 1 });
        expect((await store.jobs.get('j1')).endTime).toBeUndefined();
        expect((await store.jobs.activeOnCluster(next.id)).map((found) => found.id)).toEqual(['j1']);
        expect(await store.jobs.activeOnCluster(lost.id)).toEqual([]);
        // It then moves on as any job does, to its end.
        await store.jobs.updateStatus('j1', 'FINISHED', undefined, new Date(10_000));
        expect(await store.jobs.get('j1')).toMatchObject({
          status: 'FINISHED',
          restarts: 1,
          endTime: new Date(10_000),
        });
      });

      it('answers the jobs of an application, those active on a cluster, and a tenant’s jobs page by page', async () => {
        const store = await open();
        const [cluster, other] = [testCluster(), testCluster()];
        for (const one of [cluster, other]) await store.clusters.insert(one);
        const [mine, alsoMine, theirs] = [
          testApplication({ tenant: 'a' }),
          testApplication({ tenant: 'a' }),
          testApplication({ tenant: 'b' }),
        ];
        for (const application of [mine, alsoMine, theirs]) await store.applications.insert(application);
        await store.jobs.insert(job('j1', mine.id, cluster.id));
        await store.jobs.insert(job('j2', theirs.id, cluster.id));
        await store.jobs.insert(job('j3', alsoMine.id, other.id));
        await store.jobs.insert(job('j4', mine.id, cluster.id, { status: 'FINISHED' }));
        expect(ids(await store.jobs.ofApplication(mine.id))).toEqual(['j1', 'j4']);
        expect(ids(await store.jobs.activeOnCluster(cluster.id))).toEqual(['j1', 'j2']);
        const request = { pageSize: 2, pageToken: '', applicationId: '', clusterId: '', tenant: 'a' };
        const first = await store.jobs.list(request);
        expect(ids(first.jobs)).toEqual(['j4', 'j3']);
        const second = await store.jobs.list({ ...request, pageToken: first.nextPageToken });
        expect(second).toEqual({ jobs: [expect.objectContaining({ id: 'j1' })], nextPageToken: '' });
        expect(ids((await store.jobs.list({ ...request, pageSize: 0, applicationId: mine.id })).jobs)).toEqual([
          'j4',
          'j1',
        ]);
        expect(ids((await store.jobs.list({ ...request, pageSize: 0, clusterId: other.id })).jobs)).toEqual(['j3']);
        await expect(store.jobs.list({ ...request, pageToken: 'bogus' })).rejects.toThrow(InvalidArgumentError);
        expect((await store.jobs.get('j1', 'a')).id).toBe('j1');
        await expect(store.jobs.get('j2', 'a')).rejects.toThrow(
          new NotFoundError('job "j2" is not known to this control plane'),
        );
      });
    });

    describe('driver logs', () => {
      it('moves a completed copy on to a later driver attempt’s job, from source offset 0, after a header line', async () => {
        const store = await open();
        const application = testApplication({ driverJobId: 'd1' });
        await store.applications.insert(application);
        const first = await store.driverLogs.append(application.id, 0, 6, [
          { stream: 'STDOUT', data: Buffer.from('first\n') },
        ]);
        await expect(store.driverLogs.nextSource(application.id, 'd2', [])).rejects.toThrow(FailedPreconditionError);
        await store.driverLogs.complete(application.id);
        const header = '[flotilla] driver attempt 2 of 2\n';
        await store.driverLogs.nextSource(application.id, 'd2', [{ stream: 'LOGGER', data: Buffer.from(header) }]);
        const position = await store.driverLogs.position(application.id);
        expect(position).toMatchObject({ sourceOffset: 0, sourceJobId: 'd2', endOffset: first + header.length });
        expect(position.completedAt).toBeUndefined();
        await store.driverLogs.append(application.id, 0, 7, [{ stream: 'STDOUT', data: Buffer.from('second\n') }]);
        const text = (await store.driverLogs.read(application.id, 0, 10))
          .map((piece) => piece.data.toString())
          .join('');
        expect(text).toBe(`first\n${header}second\n`);
      });

      it('appends output with the source offset, joins pieces of one stream, and reads from any offset', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        expect(await store.driverLogs.position(application.id)).toEqual({
          sourceOffset: 0,
          sourceJobId: '',
          endOffset: 0,
          firstKeptOffset: 0,
        });
        const time = new Date(3_000);
        const end = await store.driverLogs.append(
          application.id,
          0,
          100,
          [
            { stream: 'STDOUT', data: Buffer.from('one\n') },
            { stream: 'STDOUT', data: Buffer.from('two\n') },
            { stream: 'STDERR', data: Buffer.from('oops\n') },
          ],
          time,
        );
        expect(end).toBe(13);
        expect(await store.driverLogs.position(application.id)).toMatchObject({ sourceOffset: 100, endOffset: 13 });
        const pieces = await store.driverLogs.read(application.id, 0, 10);
        expect(pieces.map((piece) => [piece.offset, piece.stream, piece.data.toString(), piece.nextOffset])).toEqual([
          [0, 'STDOUT', 'one\ntwo\n', 8],
          [8, 'STDERR', 'oops\n', 13],
        ]);
        expect(pieces[0].time).toEqual(time);
        // From inside a piece: the first one starts at the offset asked for.
        expect(
          (await store.driverLogs.read(application.id, 4, 10)).map((piece) => [piece.offset, piece.data.toString()]),
        ).toEqual([
          [4, 'two\n'],
          [8, 'oops\n'],
        ]);
        expect((await store.driverLogs.read(application.id, 8, 1)).map((piece) => piece.offset)).toEqual([8]);
        expect(await store.driverLogs.read(application.id, 13, 10)).toEqual([]);
      });

      it('refuses an append that does not continue the copy, and an unknown application', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        await store.driverLogs.append(application.id, 0, 10, [{ stream: 'STDOUT', data: Buffer.from('a\n') }]);
        await expect(
          store.driverLogs.append(application.id, 0, 20, [{ stream: 'STDOUT', data: Buffer.from('b\n') }]),
        ).rejects.toThrow(FailedPreconditionError);
        expect(await store.driverLogs.position(application.id)).toMatchObject({ sourceOffset: 10, endOffset: 2 });
        await expect(store.driverLogs.position('app-nope')).rejects.toThrow(
          new NotFoundError('application "app-nope" is not known to this control plane'),
        );
      });

      it('completes a copy once, with notes as its last rows, and lists the copies not completed', async () => {
        const store = await open();
        const [copying, notStarted] = [testApplication(), testApplication()];
        for (const application of [copying, notStarted]) await store.applications.insert(application);
        await store.applications.update(copying.id, { driverJobId: 'driver-1' });
        expect(await store.driverLogs.incompleteCopies()).toEqual([copying.id]);
        await store.driverLogs.append(copying.id, 0, 5, [{ stream: 'STDOUT', data: Buffer.from('out\n') }]);
        const time = new Date(4_000);
        await store.driverLogs.complete(
          copying.id,
          [{ stream: 'LOGGER', data: Buffer.from('[flotilla] end\n') }],
          time,
        );
        await store.driverLogs.complete(copying.id, [{ stream: 'LOGGER', data: Buffer.from('again\n') }]);
        expect(await store.driverLogs.position(copying.id)).toEqual({
          sourceOffset: 5,
          sourceJobId: '',
          endOffset: 19,
          firstKeptOffset: 0,
          completedAt: time,
        });
        expect((await store.driverLogs.read(copying.id, 0, 10)).map((piece) => piece.data.toString())).toEqual([
          'out\n',
          '[flotilla] end\n',
        ]);
        expect(await store.driverLogs.incompleteCopies()).toEqual([]);
      });
    });

    describe('retention', () => {
      /** An ended application with three events and a driver log of `lines` rows of 10 bytes, ended `daysAgo` before `now`. */
      async function ended(store: ControlPlaneStore, now: Date, daysAgo: number, lines = 0): Promise<string> {
        const application = testApplication({ status: 'RUNNING' });
        await store.applications.insert(application);
        for (const message of ['a', 'b']) await store.events.append(application.id, note(message));
        for (let i = 0; i < lines; i++) {
          const { sourceOffset } = await store.driverLogs.position(application.id);
          await store.driverLogs.append(application.id, sourceOffset, sourceOffset + 10, [
            { stream: 'STDOUT', data: Buffer.from(`line ${String(i).padStart(4, '0')}\n`) },
          ]);
        }
        await store.transaction(async (tx) => {
          await tx.applications.update(application.id, {
            status: 'FINISHED',
            endTime: new Date(now.getTime() - daysAgo * DAY),
          });
          await tx.events.append(application.id, {
            type: 'applicationStatusChanged',
            status: 'FINISHED',
            message: 'done',
          });
        });
        return application.id;
      }

      it('selects ended applications past the age or count limit, oldest end first, not those whose log is still copied', async () => {
        const store = await open();
        const now = new Date('2030-01-31T12:00:00Z');
        const old = await ended(store, now, 10);
        const older = await ended(store, now, 20);
        const recent = await ended(store, now, 1);
        const copying = await ended(store, now, 30);
        await store.applications.update(copying, { driverJobId: 'driver-1' });
        const running = testApplication({ status: 'RUNNING' });
        await store.applications.insert(running);
        expect(await store.retention.due({}, 10)).toEqual([]);
        expect(await store.retention.due({ endedBefore: new Date(now.getTime() - 5 * DAY) }, 10)).toEqual([older, old]);
        expect(await store.retention.due({ endedBefore: new Date(now.getTime() - 5 * DAY) }, 1)).toEqual([older]);
        expect(await store.retention.due({ keepNewest: 2 }, 10)).toEqual([older]);
        await store.driverLogs.complete(copying);
        expect(await store.retention.due({ keepNewest: 1 }, 10)).toEqual([copying, older, old]);
        // By age alone, every ended application whose log is copied, oldest end first.
        expect(await store.retention.due({ endedBefore: now }, 10)).toEqual([copying, older, old, recent]);
      });

      it('compacts one application: keeps its last event and the log tail, records what is kept, and only once', async () => {
        const store = await open();
        const now = new Date('2030-01-31T12:00:00Z');
        const id = await ended(store, now, 10, 5);
        const compaction = await store.retention.compact(id, 25, now);
        expect(compaction).toEqual({
          applicationId: id,
          eventsDropped: 2,
          logBytesDropped: 30,
          firstKeptSequence: 3,
          firstKeptOffset: 30,
        });
        expect((await store.events.read(id, 0, 10)).map((event) => event.sequence)).toEqual([3]);
        expect(await store.events.kept(id)).toEqual({ firstKeptSequence: 3, compactedAt: now });
        expect(await store.driverLogs.position(id)).toMatchObject({ firstKeptOffset: 30, compactedAt: now });
        expect((await store.driverLogs.read(id, 0, 10)).map((piece) => piece.offset)).toEqual([30, 40]);
        expect(await store.retention.compact(id, 25, now)).toBeUndefined();
        expect(await store.retention.due({ keepNewest: 0 }, 10)).toEqual([]);
        const running = testApplication({ status: 'RUNNING' });
        await store.applications.insert(running);
        expect(await store.retention.compact(running.id, 25, now)).toBeUndefined();
        expect(await store.retention.compact('app-nope', 25, now)).toBeUndefined();
      });
    });

    describe('artifact catalog', () => {
      it('records an artifact once, finds it, lists it, and forgets it', async () => {
        const store = await open();
        const id = 'a'.repeat(64);
        expect(await store.artifacts.find(id)).toBeUndefined();
        const recorded = await store.artifacts.record(id, 42, 'bundle.tgz');
        expect(recorded).toMatchObject({ id, sizeBytes: 42, fileName: 'bundle.tgz' });
        expect(recorded.createdAt).toBeInstanceOf(Date);
        // An existing record is kept.
        expect(await store.artifacts.record(id, 42, 'other.tgz')).toEqual(recorded);
        expect(await store.artifacts.find(id)).toEqual(recorded);
        await store.artifacts.record('b'.repeat(64), 1, '');
        expect((await store.artifacts.all()).map((artifact) => artifact.id).sort()).toEqual([id, 'b'.repeat(64)]);
        expect((await store.artifacts.all()).find((artifact) => artifact.id === id)).toEqual(recorded);
        await store.artifacts.forget(id);
        expect(await store.artifacts.find(id)).toBeUndefined();
        expect((await store.artifacts.all()).map((artifact) => artifact.id)).toEqual(['b'.repeat(64)]);
      });

      it('keeps a record written in a unit of work only when the unit commits', async () => {
        const store = await open();
        const kept = 'c'.repeat(64);
        const dropped = 'd'.repeat(64);
        await store.transaction(async (tx) => {
          await tx.artifacts.record(kept, 3, 'kept.tgz');
        });
        await expect(
          store.transaction(async (tx) => {
            await tx.artifacts.record(dropped, 4, 'dropped.tgz');
            expect(await tx.artifacts.find(dropped)).toMatchObject({ id: dropped, sizeBytes: 4 });
            throw new Error('taken back');
          }),
        ).rejects.toThrow('taken back');
        expect(await store.artifacts.find(kept)).toMatchObject({ id: kept, sizeBytes: 3, fileName: 'kept.tgz' });
        expect(await store.artifacts.find(dropped)).toBeUndefined();
      });
    });

    describe('follower leases', () => {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      it('gives a free lease to the first holder with token 1, and refuses it to others until it expires', async () => {
        const store = await open();
        const first = await store.leases.acquire('cluster-a', 'replica-1', 60_000);
        expect(first).toMatchObject({ subjectId: 'cluster-a', holder: 'replica-1', token: 1 });
        expect(first!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
        expect(await store.leases.acquire('cluster-a', 'replica-2', 60_000)).toBeUndefined();
        // Its own holder renews; taking it again would raise the token under its own writes.
        expect(await store.leases.acquire('cluster-a', 'replica-1', 60_000)).toBeUndefined();
        expect(await store.leases.find('cluster-a')).toMatchObject({ holder: 'replica-1', token: 1 });
        expect(await store.leases.find('cluster-b')).toBeUndefined();
      });

      it('lets another holder take an expired lease with a greater token, and the old holder can no longer renew it', async () => {
        const store = await open();
        await store.leases.acquire('cluster-a', 'replica-1', 50);
        await store.leases.acquire('cluster-b', 'replica-1', 60_000);
        await sleep(120);
        expect(await store.leases.expired(10)).toEqual(['cluster-a']);
        const taken = await store.leases.acquire('cluster-a', 'replica-2', 60_000);
        expect(taken).toMatchObject({ holder: 'replica-2', token: 2 });
        expect(await store.leases.expired(10)).toEqual([]);
        const held = [
          { subjectId: 'cluster-a', token: 1 },
          { subjectId: 'cluster-b', token: 1 },
        ];
        expect(await store.leases.renew('replica-1', held, 60_000)).toEqual(['cluster-b']);
        expect(await store.leases.renew('replica-2', [{ subjectId: 'cluster-a', token: 2 }], 60_000)).toEqual([
          'cluster-a',
        ]);
      });

      it('takes a lease by force with a greater token, and a let-go lease is free at once with its token kept', async () => {
        const store = await open();
        await store.leases.acquire('cluster-a', 'replica-1', 60_000);
        expect(await store.leases.acquire('cluster-a', 'replica-2', 60_000, true)).toMatchObject({ token: 2 });
        // Only the holder with its token lets go.
        await store.leases.release('cluster-a', 'replica-1', 1, false);
        expect(await store.leases.expired(10)).toEqual([]);
        await store.leases.release('cluster-a', 'replica-2', 2, false);
        expect(await store.leases.expired(10)).toEqual(['cluster-a']);
        expect(await store.leases.acquire('cluster-a', 'replica-3', 60_000)).toMatchObject({ token: 3 });
        await store.leases.release('cluster-a', 'replica-3', 3, true);
        expect(await store.leases.find('cluster-a')).toBeUndefined();
      });

      it('never gives the lease of an ended subject again, so that its tokens never start over', async () => {
        const store = await open();
        await store.leases.acquire('cluster-a', 'replica-1', 60_000);
        expect(await store.leases.acquire('cluster-a', 'replica-2', 60_000, true)).toMatchObject({ token: 2 });
        await store.leases.release('cluster-a', 'replica-2', 2, true);
        expect(await store.leases.acquire('cluster-a', 'replica-1', 60_000)).toBeUndefined();
        expect(await store.leases.acquire('cluster-a', 'replica-3', 60_000, true)).toBeUndefined();
        expect(await store.leases.find('cluster-a')).toBeUndefined();
        expect(await store.leases.expired(10)).toEqual([]);
        expect(await store.leases.renew('replica-2', [{ subjectId: 'cluster-a', token: 2 }], 60_000)).toEqual([]);
        // Neither the old token nor a new one passes the fence.
        for (const token of [1, 2, 3])
          await expect(store.transaction((tx) => tx.leases.checkFence('cluster-a', token))).rejects.toThrow(
            /it has no lease any more \(the subject ended\)/,
          );
      });

      it('refuses a unit of work whose fencing token is stale, and commits none of its writes', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        await store.leases.acquire('cluster-a', 'replica-1', 50);
        // The holder writes with its token while it holds the lease, and after it expired untaken.
        await store.transaction(async (tx) => {
          await tx.leases.checkFence('cluster-a', 1);
          await tx.events.append(application.id, note('while held'));
        });
        await sleep(120);
        await store.transaction(async (tx) => {
          await tx.leases.checkFence('cluster-a', 1);
          await tx.events.append(application.id, note('expired, nobody took it'));
        });
        await store.leases.acquire('cluster-a', 'replica-2', 60_000);
        const stale = store.transaction(async (tx) => {
          await tx.events.append(application.id, note('stale'));
          await tx.leases.checkFence('cluster-a', 1);
        });
        await expect(stale).rejects.toBeInstanceOf(FencedWriteError);
        await expect(stale).rejects.toThrow(/fencing token 1 was refused: it is held by replica-2 with token 2/);
        await store.transaction((tx) => tx.leases.checkFence('cluster-a', 2));
        await store.leases.release('cluster-a', 'replica-2', 2, true);
        await expect(store.transaction((tx) => tx.leases.checkFence('cluster-a', 2))).rejects.toBeInstanceOf(
          FencedWriteError,
        );
        expect((await store.events.read(application.id, 0, 10)).map((event) => messageOf(event.kind))).toEqual([
          'while held',
          'expired, nobody took it',
        ]);
      });

      it('gives a lease taken in a unit of work only if the unit commits', async () => {
        const store = await open();
        await expect(
          store.transaction(async (tx) => {
            await tx.leases.acquire('cluster-a', 'replica-1', 60_000);
            throw new Error('the cluster was not recorded');
          }),
        ).rejects.toThrow('not recorded');
        expect(await store.leases.find('cluster-a')).toBeUndefined();
        await store.transaction((tx) => tx.leases.acquire('cluster-a', 'replica-1', 60_000));
        expect(await store.leases.find('cluster-a')).toMatchObject({ holder: 'replica-1', token: 1 });
      });
    });

    describe('units of work', () => {
      it('commits a unit’s writes together and resolves with its result', async () => {
        const store = await open();
        const application = testApplication();
        const result = await store.transaction(async (tx) => {
          await tx.applications.insert(application);
          await tx.events.append(application.id, note('first'));
          return 'done';
        });
        expect(result).toBe('done');
        expect((await store.applications.get(application.id)).lastEventSequence).toBe(1);
      });

      it('rolls back only the unit that throws, also among units that run at the same time', async () => {
        const store = await open();
        const [kept, lost, alsoKept] = [testApplication(), testApplication(), testApplication()];
        const outcomes = await Promise.allSettled([
          store.transaction((tx) => tx.applications.insert(kept)),
          store.transaction(async (tx) => {
            await tx.applications.insert(lost);
            await tx.events.append(lost.id, note('never'));
            throw new Error('this unit fails');
          }),
          store.transaction((tx) => tx.applications.insert(alsoKept)),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch('this unit fails');
        expect(await store.applications.find(kept.id)).toBeDefined();
        expect(await store.applications.find(alsoKept.id)).toBeDefined();
        expect(await store.applications.find(lost.id)).toBeUndefined();
        expect(await store.events.read(lost.id, 0, 10)).toEqual([]);
      });

      it('rolls back a failing nested unit alone, and the enclosing unit goes on', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        await store.transaction(async (tx) => {
          await tx.events.append(application.id, note('outer'));
          await expect(
            tx.transaction(async (inner) => {
              await inner.events.append(application.id, note('inner'));
              await inner.applications.update(application.id, { status: 'RUNNING' });
              throw new Error('nested fails');
            }),
          ).rejects.toThrow('nested fails');
          await tx.events.append(application.id, note('after'));
        });
        expect(
          (await store.events.read(application.id, 0, 10)).map((event) => [event.sequence, messageOf(event.kind)]),
        ).toEqual([
          [1, 'outer'],
          [2, 'after'],
        ]);
        expect((await store.applications.get(application.id)).status).toBe('DEPLOYING');
      });

      it('runs after-commit callbacks once the unit committed, and never for a unit or nested unit rolled back', async () => {
        const store = await open();
        const application = testApplication();
        await store.applications.insert(application);
        const called: string[] = [];
        await store.transaction(async (tx) => {
          tx.afterCommit(() => called.push('outer'));
          await tx.transaction(async (inner) => {
            inner.afterCommit(() => called.push('nested, kept'));
          });
          await tx
            .transaction(async (inner) => {
              inner.afterCommit(() => called.push('nested, rolled back'));
              throw new Error('nested fails');
            })
            .catch(() => undefined);
          expect(called).toEqual([]);
        });
        expect(called).toEqual(['outer', 'nested, kept']);
        await expect(
          store.transaction(async (tx) => {
            tx.afterCommit(() => called.push('rolled back'));
            throw new Error('fails');
          }),
        ).rejects.toThrow('fails');
        expect(called).toEqual(['outer', 'nested, kept']);
      });

      it('makes what was committed durable on request', async () => {
        const store = await open();
        await store.applications.insert(testApplication());
        await expect(store.durable()).resolves.toBeUndefined();
      });
    });

    describe('schema', () => {
      it('is at a schema version, and refuses state written by a newer version', async () => {
        const store = await open();
        expect(await store.schemaVersion()).toBeGreaterThan(0);
        await expect(harness.openWrittenByNewerVersion()).rejects.toThrow(FailedPreconditionError);
        await expect(harness.openWrittenByNewerVersion()).rejects.toThrow(/newer than this Flotilla knows/);
      });
    });
  });
}
