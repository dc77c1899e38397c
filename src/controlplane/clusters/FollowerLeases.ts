/**
 * Which clusters (and launches of applications without a live cluster) this control-plane process
 * follows, as the domain sees it: a lease per subject in the store, whose fencing token every write
 * of the follower carries (store/FollowerLeaseStore.ts). On SQLite one process holds every lease
 * ({@link SoleFollower}); on PostgreSQL each replica holds some and takes over those of replicas
 * that stopped renewing theirs ({@link ReplicaLeases}).
 */
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';

/** What the follower leases tell the control plane. */
export interface FollowerLeaseHandlers {
  /** This replica has taken these subjects' leases (at start, or over from a replica that stopped): follow them. */
  adopt(subjectIds: readonly string[]): Promise<void>;
  /** This replica no longer holds the subject's lease (another took it over): stop following it at once. */
  lost(subjectId: string): void;
}

/** This process's leases. */
export interface FollowerLeases {
  /** Whether other processes share the store (then leases expire and are taken over). */
  readonly shared: boolean;
  /** This process's name as the holder of leases. */
  readonly holder: string;
  /** In the unit of work that records a new cluster or application: takes its lease for this process. */
  claim(tx: StoreTransaction, subjectId: string): Promise<void>;
  /**
   * In a unit of work that writes as the follower of `subjectId`: the write's fencing token; the
   * unit fails with FencedWriteError (and this process stops following the subject) unless this
   * process still holds the lease.
   */
  fence(tx: StoreScope, subjectId: string): Promise<void>;
  /** Whether this process holds the subject's lease now. */
  holds(subjectId: string): boolean;
  /**
   * Whether another process took the subject's lease over from this one (and this one has not
   * taken it again): what this process was doing as its follower was cut off, not failed.
   */
  lostToAnother(subjectId: string): boolean;
  /** Takes the subject's lease if nobody holds it (or it expired); whether this process holds it now. */
  take(subjectId: string): Promise<boolean>;
  /** Takes the subject's lease whoever holds it (a new token: the holder's writes are refused from now on). */
  seize(subjectId: string): Promise<void>;
  /** Lets go of the subject's lease for now: any replica (this one too) takes it again at its next look. */
  letGo(subjectId: string): Promise<void>;
  /** The subject ended: its lease goes, if this process holds it. */
  ended(subjectId: string): void;
  /** Starts renewing and taking over; `handlers` hear what this process adopts and loses. */
  start(handlers: FollowerLeaseHandlers): Promise<void>;
  /** Stops renewing and lets every lease go, for other replicas to take at once. */
  close(): Promise<void>;
}
