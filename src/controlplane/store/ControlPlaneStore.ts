/**
 * The port to the control plane's state: applications and their event logs, clusters, jobs,
 * driver logs, retention, and the artifact catalog, with units of work and durability. The control
 * plane depends on this interface only; `sqlite/` implements it over one SQLite file and
 * `postgres/` over a PostgreSQL database (docs/postgresql.md), and both pass the contract suite in
 * `test/contracts/controlPlaneStore.contract.ts` unchanged.
 *
 * Units of work are explicit: `store.transaction(async (tx) => …)` runs `work` with `tx`, whose
 * repositories read and write inside the unit; its writes are committed together once `work`
 * resolves, or not at all when it throws (the promise rejects with that error). `tx.transaction`
 * nests a unit (a savepoint) whose failure rolls back only its own writes. A unit awaits only the
 * store through `tx`: a call to the store itself from inside a unit is not part of it (and the
 * SQLite implementation, which runs units one at a time, would wait for the unit to end; the
 * PostgreSQL one may wait for a connection its units hold). An implementation may commit several
 * units together (SQLite commits all units of one turn of the event loop at once); each still
 * succeeds or fails alone.
 */
import type { ApplicationEventStore } from './ApplicationEventStore.js';
import type { ApplicationStore } from './ApplicationStore.js';
import type { ArtifactCatalog } from './ArtifactCatalog.js';
import type { ClusterStore } from './ClusterStore.js';
import type { DriverLogStore } from './DriverLogStore.js';
import type { FollowerLeaseStore } from './FollowerLeaseStore.js';
import type { JobStore } from './JobStore.js';
import type { RetentionStore } from './RetentionStore.js';

/** The repositories of the control plane's state, and how to start a unit of work over them. */
export interface StoreScope {
  readonly applications: ApplicationStore;
  readonly events: ApplicationEventStore;
  readonly clusters: ClusterStore;
  readonly jobs: JobStore;
  readonly driverLogs: DriverLogStore;
  readonly retention: RetentionStore;
  /** The records of the control plane's artifact store (bundles). */
  readonly artifacts: ArtifactCatalog;
  /** Which replica follows which cluster, with fencing tokens (docs/postgresql.md). */
  readonly leases: FollowerLeaseStore;
  /**
   * Runs `work` as one unit of work (nested in this one when called on a transaction): its writes
   * are kept together once it resolves, and none of them when it throws.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}

/** The store as seen inside a unit of work: every read and write through it is part of the unit. */
export interface StoreTransaction extends StoreScope {
  /**
   * Calls `callback` once the unit's writes are committed (not when they are rolled back, nor when
   * a nested unit that registered it is): what tells others of a write (waking an event log's
   * watchers) waits for it, so nobody hears of a write that is taken back.
   */
  afterCommit(callback: () => void): void;
}

/** The control plane's state. */
export interface ControlPlaneStore extends StoreScope {
  /**
   * Resolves once every unit committed before the call is on disk: an answer, an event sent to a
   * watcher or a piece of a driver log waits for it (the SQLite store fsyncs once per burst of
   * commits; a database that syncs every commit resolves at once).
   */
  durable(): Promise<void>;
  /** The schema version the state is at. */
  schemaVersion(): Promise<number>;
  /**
   * Calls `listener` with each change of an application's event log or driver log that another
   * process committed (PostgreSQL's LISTEN/NOTIFY on a connection of its own); returns how to stop.
   * A store that only this process writes (SQLite) never calls it. A change is a wake-up, not the
   * change itself: readers read the table, which is the truth.
   */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void;
  /** Closes the store; nothing may use it afterwards. */
  close(): Promise<void>;
}

/** A change another process committed: new events of an application, or new driver output. */
export interface RemoteChange {
  kind: 'events' | 'driverLog';
  applicationId: string;
}
