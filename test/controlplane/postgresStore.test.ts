/**
 * What the PostgreSQL store does beyond the port's contract: several stores on one database (as
 * several control-plane processes will be) migrate once, number one application's events without
 * gap or duplicate, count and insert a tenant's clusters one unit at a time, find a request id's
 * first application, refuse a second copy of one driver log, read each other's page tokens, and
 * append no event after another store's unit ended the application (the lifecycle's read for update);
 * and a unit that caught the failure of one of its statements is rolled back, not half committed.
 * Against a real PostgreSQL 15 server started for this file.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FailedPreconditionError, UnavailableError } from '../../src/common/errors.js';
import type { ControlPlaneStore } from '../../src/controlplane/store/ControlPlaneStore.js';
import { POSTGRES_MIGRATIONS } from '../../src/controlplane/store/postgres/migrations.js';
import { RolledBackError } from '../../src/controlplane/store/postgres/PostgresAccess.js';
import { openPostgresControlPlaneStore } from '../../src/controlplane/store/postgres/PostgresControlPlaneStore.js';
import { testApplication, testCluster } from '../../src/controlplane/testing/testRecords.js';
import { ApplicationLifecycle } from '../../src/controlplane/applications/ApplicationLifecycle.js';
import { ApplicationEventLog } from '../../src/controlplane/events/ApplicationEventLog.js';
import { silentLogger } from '../../src/controlplane/testing/testState.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

const opened: ControlPlaneStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** `count` stores on one new database, opened at the same time. */
async function storesOnOneDatabase(count: number): Promise<ControlPlaneStore[]> {
  const url = await server.createDatabase();
  const stores = await Promise.all(Array.from({ length: count }, () => openPostgresControlPlaneStore(url)));
  opened.push(...stores);
  return stores;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL store, several stores on one database', () => {
  it('migrates once when several start at the same time', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresControlPlaneStore(url)));
    opened.push(...stores);
    const newest = POSTGRES_MIGRATIONS.at(-1)!.version;
    expect(await Promise.all(stores.map((store) => store.schemaVersion()))).toEqual([newest, newest, newest, newest]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM schema_version ORDER BY version');
      expect(rows.map((row: { version: number }) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await client.end();
    }
  });

  it("numbers one application's events from both without gap or duplicate, in and outside units", async () => {
    const [a, b] = await storesOnOneDatabase(2);
    const application = testApplication();
    await a.applications.insert(application);
    const note = (n: number) => ({
      type: 'applicationStatusChanged' as const,
      status: 'RUNNING' as const,
      message: `${n}`,
    });
    const appended = await Promise.all(
      Array.from({ length: 60 }, (_, n) => {
        const store = n % 2 === 0 ? a : b;
        return n % 3 === 0
          ? store.transaction((tx) => tx.events.append(application.id, note(n)))
          : store.events.append(application.id, note(n));
      }),
    );
    expect(appended.map((event) => event.sequence).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 60 }, (_, n) => n + 1),
    );
    const stored = await b.events.read(application.id, 0, 100);
    expect(stored.map((event) => event.sequence)).toEqual(Array.from({ length: 60 }, (_, n) => n + 1));
    expect((await a.applications.get(application.id)).lastEventSequence).toBe(60);
  });

  it("counts and inserts a tenant's clusters one unit at a time, so a limit holds; other tenants are not held up", async () => {
    const [a, b] = await storesOnOneDatabase(2);
    const spec = { taskExecutors: 1, slotsPerTaskExecutor: 1, properties: {} };
    const limit = 3;
    const deploy = (store: ControlPlaneStore, tenant: string) =>
      store.transaction(async (tx) => {
        const { clusters } = await tx.clusters.countLive(tenant);
        // A wide window between the count and the insert: without the tenant's lock every unit would see room.
        await pause(30);
        if (clusters >= limit) return false;
        await tx.clusters.insert(testCluster({ tenant, spec, status: 'DEPLOYING' }));
        return true;
      });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, n) => deploy(n % 2 === 0 ? a : b, n < 6 ? 'team-a' : 'team-b')),
    );
    expect(outcomes.slice(0, 6).filter(Boolean)).toHaveLength(limit);
    expect(outcomes.slice(6)).toEqual([true, true]);
    expect(await a.clusters.countLive('team-a')).toEqual({ clusters: limit, taskExecutors: limit });
    expect(await b.clusters.countLive('team-b')).toEqual({ clusters: 2, taskExecutors: 2 });
  });

  it('gives a request id one application when two units look it up and insert at the same time', async () => {
    const [a, b] = await storesOnOneDatabase(2);
    const submit = (store: ControlPlaneStore) =>
      store.transaction(async (tx) => {
        const earlier = await tx.applications.findByRequestId('req-1', 'team-a');
        if (earlier) return earlier.id;
        await pause(30);
        const application = testApplication({ tenant: 'team-a', requestId: 'req-1' });
        await tx.applications.insert(application);
        return application.id;
      });
    const ids = await Promise.all([submit(a), submit(b), submit(a), submit(b)]);
    expect(new Set(ids).size).toBe(1);
    const { applications } = await a.applications.list({ pageSize: 0, pageToken: '', statuses: [], tenant: 'team-a' });
    expect(applications.map((application) => application.id)).toEqual([ids[0]]);
  });

  it("does not append an event after another store's unit ended the application (the lifecycle reads it for update)", async () => {
    const [a, b] = await storesOnOneDatabase(2);
    const lifecycleOf = (store: ControlPlaneStore) =>
      new ApplicationLifecycle({
        store,
        log: new ApplicationEventLog(store.events, store.applications),
        logger: silentLogger,
        publisher: { publish: () => Promise.resolve() },
      });
    const application = testApplication({ status: 'RUNNING' });
    await a.applications.insert(application);
    let ended!: () => void;
    const endedInUnit = new Promise<void>((resolve) => (ended = resolve));
    // a ends the application and holds its unit open; b, as the follower of its cluster, relays a note meanwhile.
    const ending = a.transaction(async (tx) => {
      await lifecycleOf(a).changeStatus(application.id, 'FINISHED', { message: 'the driver finished' }, tx);
      ended();
      await pause(300);
    });
    await endedInUnit;
    const note = {
      type: 'clusterStatusChanged' as const,
      clusterId: 'c',
      status: 'STOPPED' as const,
      message: 'the control plane stopped while it was deploying the cluster',
      jobmanagerAddress: '',
    };
    const recorded = lifecycleOf(b).record(application.id, note);
    await ending;
    // b waited for a's unit and found the application ended: its terminal event stays the last.
    expect(await recorded).toBe(false);
    expect((await b.events.read(application.id, 0, 10)).map((event) => event.kind.type)).toEqual([
      'applicationStatusChanged',
    ]);
  });

  it("hears the other's committed events, and closes while it listens", async () => {
    const url = await server.createDatabase();
    const [listening, writing] = await Promise.all([
      openPostgresControlPlaneStore(url),
      openPostgresControlPlaneStore(url),
    ]);
    opened.push(writing);
    const heard: string[] = [];
    listening.onRemoteChange((change) => heard.push(`${change.kind} ${change.applicationId}`));
    const application = testApplication();
    await writing.applications.insert(application);
    await expect.poll(() => heard).toContain('events *');
    await writing.transaction((tx) =>
      tx.events.append(application.id, {
        type: 'clusterStatusChanged',
        clusterId: 'c',
        status: 'RUNNING',
        message: 'heard',
        jobmanagerAddress: '',
      }),
    );
    await expect.poll(() => heard).toContain(`events ${application.id}`);
    // A replica shutting down with watchers closes its store while the listening connection is open.
    const closed = await Promise.race([listening.close().then(() => 'closed'), pause(5000).then(() => 'hung')]);
    expect(closed).toBe('closed');
  });

  it('lets one copy of a driver log append from a source offset and refuses the other', async () => {
    const [a, b] = await storesOnOneDatabase(2);
    const application = testApplication();
    await a.applications.insert(application);
    const outcomes = await Promise.allSettled(
      [a, b].map((store, n) =>
        store.driverLogs.append(application.id, 0, 10, [{ stream: 'STDOUT', data: Buffer.from(`copy ${n}\n`) }]),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      FailedPreconditionError,
    );
    expect(await b.driverLogs.position(application.id)).toMatchObject({ sourceOffset: 10, endOffset: 7 });
  });

  it("reads the other's page tokens: the key is kept in the database", async () => {
    const [a, b] = await storesOnOneDatabase(2);
    for (let n = 0; n < 3; n++) await a.applications.insert(testApplication());
    const request = { pageSize: 2, pageToken: '', statuses: [], tenant: '' };
    const first = await a.applications.list(request);
    const second = await b.applications.list({ ...request, pageToken: first.nextPageToken });
    expect(second.applications).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
  });
});

describe('PostgreSQL store, follower leases under load', () => {
  it('renews and takes leases while every connection of the units of work is busy', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresControlPlaneStore(url, { maxConnections: 2 });
    opened.push(store);
    const held = await store.leases.acquire('cluster-a', 'replica-1', 60_000);
    expect(held?.token).toBe(1);
    // Both connections of the units of work are held (as by a burst of submissions), and a third unit waits for one.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const busy = Array.from({ length: 3 }, () => store.transaction(() => released));
    try {
      await pause(100);
      const renewed = await store.leases.renew('replica-1', [{ subjectId: 'cluster-a', token: 1 }], 60_000);
      expect(renewed).toEqual(['cluster-a']);
      expect((await store.leases.acquire('cluster-b', 'replica-1', 60_000))?.token).toBe(1);
      expect(await store.leases.expired(10)).toEqual([]);
    } finally {
      release();
      await Promise.all(busy);
    }
  });
});

describe('PostgreSQL store, lost connections', () => {
  it('fails a unit whose connection the server ends, without ending the process, and goes on with new connections', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresControlPlaneStore(url);
    opened.push(store);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const terminateOthers = () =>
      admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
    try {
      const lost = testApplication();
      await expect(
        store.transaction(async (tx) => {
          await tx.applications.insert(lost);
          await terminateOthers();
          // The 'error' event of the connection arrives while the unit holds it, between two statements.
          await pause(100);
          await tx.applications.find(lost.id);
        }),
      ).rejects.toThrow(UnavailableError);
      const kept = testApplication();
      await store.applications.insert(kept);
      expect((await store.applications.get(kept.id)).id).toBe(kept.id);
      expect(await store.applications.find(lost.id)).toBeUndefined();
    } finally {
      await admin.end();
    }
  });

  it('answers UNAVAILABLE naming the database (not its password) while the server is down', async () => {
    const other = await startPostgresServer();
    try {
      const url = (await other.createDatabase()).replace('flotilla@', 'flotilla:secret@');
      const store = await openPostgresControlPlaneStore(url);
      opened.push(store);
      await other.stop();
      const failure = store.applications.find('app-1');
      await expect(failure).rejects.toThrow(UnavailableError);
      await expect(failure).rejects.toThrow(
        `the control plane lost its connection to its PostgreSQL database at ${url.replace(':secret@', ':***@')}`,
      );
      await expect(store.transaction((tx) => tx.applications.find('app-1'))).rejects.toThrow(UnavailableError);
    } finally {
      await other.stop();
    }
  });
});

describe('PostgreSQL store, a unit whose statement failed', () => {
  it('is rolled back as a whole even when it caught the error, and says so', async () => {
    const [store] = await storesOnOneDatabase(1);
    const kept = testApplication();
    await store.applications.insert(kept);
    const lost = testApplication();
    await expect(
      store.transaction(async (tx) => {
        await tx.applications.insert(lost);
        // The same id again: PostgreSQL refuses it and takes no more statements in this transaction.
        await tx.applications.insert(kept).catch(() => undefined);
      }),
    ).rejects.toThrow(RolledBackError);
    expect(await store.applications.find(lost.id)).toBeUndefined();
    // A nested unit is a savepoint: its failure leaves the enclosing unit able to go on.
    await store.transaction(async (tx) => {
      await tx.transaction((inner) => inner.applications.insert(kept)).catch(() => undefined);
      await tx.applications.insert(lost);
    });
    expect((await store.applications.get(lost.id)).id).toBe(lost.id);
  });
});

describe('PostgreSQL store, prepared statements', () => {
  it('reads on after another replica added a column: a connection whose prepared select went stale is replaced', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresControlPlaneStore(url, { maxConnections: 1 });
    opened.push(store);
    const application = testApplication();
    await store.applications.insert(application);
    // Prepared on the one connection, outside a unit and in one.
    expect((await store.applications.get(application.id)).id).toBe(application.id);
    await store.transaction(async (tx) => expect((await tx.applications.get(application.id)).id).toBe(application.id));
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('ALTER TABLE applications ADD COLUMN added_by_a_newer_replica text');
    } finally {
      await other.end();
    }
    // At most one failure per connection (PostgreSQL refuses a cached plan whose columns changed), then it reads again.
    const inUnit = () => store.transaction((tx) => tx.applications.get(application.id));
    await inUnit().catch(() => undefined);
    expect((await inUnit()).id).toBe(application.id);
    await store.applications.get(application.id).catch(() => undefined);
    expect((await store.applications.get(application.id)).id).toBe(application.id);
  });
});
