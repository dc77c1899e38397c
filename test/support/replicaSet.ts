/**
 * Several control-plane replicas on one PostgreSQL database for end-to-end tests: each a real
 * `flotilla controlplane --store postgresql://…` process with a state dir of its own (its local
 * clusters' folders) and the one shared --artifact-dir, which a test kills (SIGKILL), pauses
 * (SIGSTOP) and starts again on the same state dir. A watcher that switches replica when its replica
 * dies resumes by sequence, as a client with several addresses does.
 */
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, type TestControlPlane } from './controlPlane.js';
import { startPostgresServer, type PostgresServer } from './postgresServer.js';
import { tempDir } from './tempDir.js';

/** One replica slot: its state dir stays, its process comes and goes. */
export interface Replica {
  readonly index: number;
  readonly stateDir: string;
  /** The running process, or undefined while it is down. */
  current: TestControlPlane | undefined;
  /** Every process this slot ran, for their logs. */
  readonly processes: TestControlPlane[];
}

/** Replicas on one database. */
export interface ReplicaSet {
  readonly replicas: Replica[];
  readonly store: string;
  /** The replicas that run now. */
  live(): TestControlPlane[];
  /** Starts the slot's process (again). */
  start(replica: Replica): Promise<TestControlPlane>;
  /** kill -9 of the slot's process. */
  kill(replica: Replica): Promise<void>;
  /** Every log line (JSON) every process of every slot wrote so far, with the slot's index. */
  logLines(): { index: number; line: Record<string, unknown> }[];
  /** Rows of the follower_leases table. */
  leases(): Promise<{ subject_id: string; holder: string; fencing_token: number }[]>;
  /** The slot one of whose processes (running or not) holds the lease of `subjectId` by the database, if any. */
  follower(subjectId: string): Promise<Replica | undefined>;
  close(): Promise<void>;
}

/** Starts `count` replicas on the database `store`, with `args` added to each command line. */
export async function startReplicaSet(store: string, count: number, args: readonly string[]): Promise<ReplicaSet> {
  const artifactDir = tempDir('flotilla-artifacts-');
  const replicas: Replica[] = Array.from({ length: count }, (_, index) => ({
    index,
    stateDir: tempDir(`flotilla-replica-${index}-`),
    current: undefined,
    processes: [],
  }));
  const database = new pg.Client({ connectionString: store });
  await database.connect();
  const start = async (replica: Replica) => {
    const process = await startControlPlane(
      ['--store', store, '--artifact-dir', artifactDir, ...args],
      replica.stateDir,
    );
    replica.current = process;
    replica.processes.push(process);
    return process;
  };
  for (const replica of replicas) await start(replica);
  const leases = async () =>
    (await database.query('SELECT subject_id, holder, fencing_token::integer AS fencing_token FROM follower_leases'))
      .rows as { subject_id: string; holder: string; fencing_token: number }[];
  return {
    replicas,
    store,
    live: () => replicas.flatMap((replica) => (replica.current ? [replica.current] : [])),
    start,
    async kill(replica) {
      const process = replica.current;
      replica.current = undefined;
      await process?.stop('SIGKILL');
    },
    logLines() {
      return replicas.flatMap((replica) =>
        replica.processes.flatMap((process) =>
          process.process
            .stderr()
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => ({ index: replica.index, line: JSON.parse(line) as Record<string, unknown> })),
        ),
      );
    },
    leases,
    async follower(subjectId) {
      const lease = (await leases()).find((row) => row.subject_id === subjectId);
      // A replica's holder name is HOST/PID/RANDOM (ReplicaLeases.holder).
      const pid = lease?.holder.split('/')[1];
      return replicas.find((replica) => replica.processes.some(({ process }) => String(process.child.pid) === pid));
    },
    async close() {
      await database.end();
    },
  };
}

/**
 * A throwaway PostgreSQL server for the test file (started before its tests, stopped after them)
 * and a way to start replica sets on new databases of it, each closed after the file's tests.
 */
export function replicaSetsForFile(): (count: number, args?: readonly string[]) => Promise<ReplicaSet> {
  let server: PostgresServer | undefined;
  const sets: ReplicaSet[] = [];
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    for (const set of sets.splice(0)) await set.close();
    await server?.stop();
  });
  return async (count, args = []) => {
    const set = await startReplicaSet(await server!.createDatabase(), count, args);
    sets.push(set);
    return set;
  };
}

/** The sequences of `events`, as numbers. */
export const sequences = (events: readonly ApplicationEvent[]): number[] =>
  events.map((event) => Number(event.sequence));

/** The relayed job and task events that appear more than once in an application's log (none, when one replica at a time relayed them). */
export function repeatedJobEvents(events: readonly ApplicationEvent[]): string[] {
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

const TERMINAL = new Set([ApplicationStatus.FINISHED, ApplicationStatus.FAILED, ApplicationStatus.CANCELED]);

/** What a switching watcher saw. */
export interface SwitchingWatch {
  /** Every event received, in order of receipt. */
  events: ApplicationEvent[];
  /** How many times it moved to another replica. */
  switches: number;
}

/**
 * Follows an application's events until its terminal status, on whichever replica runs: when the
 * call breaks (its replica died) it asks the next live replica from the last sequence it saw.
 */
export async function watchAcrossReplicas(
  set: ReplicaSet,
  applicationId: string,
  first: number,
  timeoutMs: number,
): Promise<SwitchingWatch> {
  const watch: SwitchingWatch = { events: [], switches: 0 };
  const deadline = Date.now() + timeoutMs;
  let turn = first;
  for (;;) {
    const live = set.live();
    if (live.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const replica = live[turn % live.length]!;
    const after = watch.events.at(-1)?.sequence ?? 0n;
    try {
      for await (const { event } of replica.client.watchApplication(
        { applicationId, afterSequence: after, follow: true },
        { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
      )) {
        if (!event) continue;
        watch.events.push(event);
        if (
          event.kind?.$case === 'applicationStatusChanged' &&
          TERMINAL.has(event.kind.applicationStatusChanged.status)
        )
          return watch;
      }
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`watching ${applicationId} timed out`, { cause: error });
    }
    watch.switches++;
    turn++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
