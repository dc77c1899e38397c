/**
 * Several control-plane replicas on one PostgreSQL database (issue 14 parts 2 and 3), on real
 * processes: three `flotilla controlplane --store postgresql://…` replicas, real local clusters
 * (a job manager and a task executor process each), and a throwaway PostgreSQL 15 server.
 *
 * - A replica paused with SIGSTOP past its lease loses the cluster it followed to another replica,
 *   which relays the rest of the application's events; when the paused one resumes, the store
 *   refuses its stale write (its log says so) and it stops following; the log has every event once.
 *
 * The 50-application chaos case of issue 14 (replicas killed with SIGKILL at random) is on branch
 * h/replicas, not here: on main it failed twice on two races that are not fixed yet (see
 * docs/postgresql.md, "Not done yet").
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, JobStatus } from '../../generated/flotilla/v1/status.js';
import { driverRequest, uploadDriverApp, watchAll } from '../controlplane/controlPlaneTesting.js';
import { clusterProcesses } from '../support/controlPlane.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { startReplicaSet, watchAcrossReplicas, type ReplicaSet } from '../support/replicaSet.js';
import { sharedDir } from '../support/tempDir.js';

/** The replicas' lease in these tests (the default is 6 s): takeovers within 2 s + 0.7 s. */
const LEASE_SECONDS = 2;

let server: PostgresServer;
const sets: ReplicaSet[] = [];
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  for (const set of sets) await set.close();
  await server?.stop();
});

async function replicaSet(count: number): Promise<ReplicaSet> {
  const set = await startReplicaSet(await server.createDatabase(), count, [
    '--follower-lease-seconds',
    String(LEASE_SECONDS),
  ]);
  sets.push(set);
  return set;
}

/** The sequences of `events`, as numbers. */
const sequences = (events: readonly ApplicationEvent[]) => events.map((event) => Number(event.sequence));

/** The relayed job and task events that appear more than once in an application's log (none, when one replica at a time relayed them). */
function repeatedJobEvents(events: readonly ApplicationEvent[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const event of events) {
    if (event.kind?.$case !== 'jobStatusChanged' && event.kind?.$case !== 'taskStateChanged') continue;
    const key = JSON.stringify(event.kind, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
    if (seen.has(key)) repeated.push(key);
    seen.add(key);
  }
  return repeated;
}

describe('control-plane replicas on one PostgreSQL database', () => {
  it('refuses the stale writes of a replica paused past its lease, after another took its cluster over', async () => {
    const set = await replicaSet(2);
    const [a, b] = set.live() as [
      NonNullable<(typeof set.replicas)[0]['current']>,
      NonNullable<(typeof set.replicas)[0]['current']>,
    ];
    const artifactId = await uploadDriverApp(a.address);
    const gate = join(sharedDir(), 'go');
    const { application } = await a.client.runApplication(
      driverRequest(artifactId, { entry: 'main.mjs#steps', args: ['squares', '3', 'await', gate, 'squares', '4'] }),
    );
    const applicationId = application!.id;
    // Accepted by a, so a deployed its cluster and follows it; the driver now waits at the gate.
    await expect
      .poll(async () => (await a.client.getApplication({ applicationId })).application!.status, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(ApplicationStatus.RUNNING);
    const clusterId = (await a.client.getApplication({ applicationId })).application!.clusterId;
    const holderOf = async (subjectId: string) => (await set.leases()).find((lease) => lease.subject_id === subjectId);
    const before = await holderOf(clusterId);
    expect(before).toBeDefined();
    // Its first job has finished: the driver waits at the gate.
    await expect
      .poll(
        async () =>
          (await watchAll(b.client, applicationId, 0, false)).some(
            (event) =>
              event.kind?.$case === 'jobStatusChanged' && event.kind.jobStatusChanged.status === JobStatus.FINISHED,
          ),
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true);

    a.process.child.kill('SIGSTOP');
    try {
      // b takes the lease over once it expired, with a greater token, and follows the cluster.
      await expect
        .poll(async () => (await holderOf(clusterId))?.fencing_token, { timeout: 20_000, interval: 100 })
        .toBeGreaterThan(before!.fencing_token);
      expect((await holderOf(clusterId))!.holder).not.toBe(before!.holder);
      // The driver goes on: its second job's events reach a's socket too, which a reads only once resumed.
      writeFileSync(gate, '');
      const watched = await watchAcrossReplicas(set, applicationId, 1, 60_000);
      expect(watched.events.at(-1)!.kind).toMatchObject({
        $case: 'applicationStatusChanged',
        applicationStatusChanged: { status: ApplicationStatus.FINISHED },
      });
    } finally {
      a.process.child.kill('SIGCONT');
    }
    // a wakes up with its old token: the store refuses what it writes as the follower, and it stops.
    await expect
      .poll(
        () =>
          set
            .logLines()
            .filter(
              ({ index, line }) =>
                index === 0 && line.msg === 'the store refused a stale write: this replica lost the lease',
            )
            .map(({ line }) => line.subjectId),
        { timeout: 20_000, interval: 200 },
      )
      .toContain(clusterId);
    // The other replica took the lease once, with the next token, and followed the cluster from its last stored job event.
    const takings = set
      .logLines()
      .filter(({ line }) => line.msg === 'took the lease over' && line.subjectId === clusterId)
      .map(({ index, line }) => [index, line.token]);
    expect(takings).toEqual([[1, before!.fencing_token + 1]]);
    const events = await watchAll(a.client, applicationId, 0, false);
    expect(sequences(events)).toEqual(events.map((_, index) => index + 1));
    expect(repeatedJobEvents(events)).toEqual([]);
    expect(await watchAll(b.client, applicationId, 0, false)).toEqual(events);
    await expect
      .poll(() => set.replicas.flatMap((replica) => clusterProcesses(replica.stateDir)), { timeout: 20_000 })
      .toEqual([]);
    const cluster = (await b.client.getCluster({ clusterId })).cluster!;
    expect(ClusterStatus[cluster.status]).toBe('STOPPED');
  }, 180_000);
});
