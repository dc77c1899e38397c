/**
 * Who follows what, as a port: one lease row per cluster (and per application whose launch has no
 * live cluster yet), held by one control-plane replica until it expires, with a fencing token that
 * grows by one at every change of holder. A replica carries the token with every write it makes as
 * the follower ({@link FollowerLeaseStore.checkFence} in the write's unit of work), so a replica that
 * lost its lease while it was paused or cut off cannot write stale events: the store refuses the
 * unit. Expiry is measured by the store's clock (the database's, for PostgreSQL), so replicas need
 * no synchronised clocks. docs/postgresql.md says why a lease with a fencing token and how the
 * takeover bound follows from the lease's length.
 */
import { FailedPreconditionError } from '../../common/errors.js';

/** A lease on one subject (a cluster, or an application being launched), as the store has it. */
export interface FollowerLease {
  /** The record id of the cluster or application. */
  subjectId: string;
  /** The replica that holds (or last held) it. */
  holder: string;
  /** Greater than every token the subject's lease had before this holder took it. */
  token: number;
  /** When it lapses unless renewed (the store's clock). */
  expiresAt: Date;
}

/** A write of a follower whose lease was taken over (or let go): the unit must not commit. */
export class FencedWriteError extends FailedPreconditionError {
  override name = 'FencedWriteError';

  constructor(
    message: string,
    /** Whether the subject had ended (its lease held by nobody for good), rather than being taken over. */
    readonly subjectEnded = false,
  ) {
    super(message);
  }
}

/** A lease to renew or check: its subject and the token its holder took it with. */
export interface HeldLease {
  subjectId: string;
  token: number;
}

/** The leases of followers. */
export interface FollowerLeaseStore {
  /**
   * Takes the subject's lease for `holder` for `ttlMs`, when there is none (token 1), when it has
   * expired or was let go, or (`force`) whoever holds it; each new taking has a token one greater
   * than the last. Undefined when another holder's lease has not expired (or `holder`'s own: it
   * renews, it does not take again).
   */
  acquire(subjectId: string, holder: string, ttlMs: number, force?: boolean): Promise<FollowerLease | undefined>;
  /**
   * Extends by `ttlMs` those of `leases` that `holder` still holds with the same token, and returns
   * their subject ids: a lease missing from the answer was taken over (or let go) and is lost.
   */
  renew(holder: string, leases: readonly HeldLease[], ttlMs: number): Promise<string[]>;
  /**
   * Lets go of a lease `holder` holds with `token`: it expires now, for another replica to take at
   * once (`ended` false: a replica shutting down), or (`ended` true: the subject has ended and
   * nobody needs to follow it) it is held by nobody from now on: `find` answers undefined, no fence
   * passes, and it is never taken again, so that its tokens never start over. Nothing when the lease
   * is no longer `holder`'s.
   */
  release(subjectId: string, holder: string, token: number, ended: boolean): Promise<void>;
  /** Up to `limit` subjects whose lease has expired (or was let go), the longest expired first. */
  expired(limit: number): Promise<string[]>;
  /** The subject's lease as the store has it, or undefined. */
  find(subjectId: string): Promise<FollowerLease | undefined>;
  /**
   * Inside a unit of work: {@link FencedWriteError} unless `token` is the subject's token now; the
   * unit then holds the lease row until it ends, so a replica taking the lease over waits for the
   * unit and the unit never commits after a takeover. Whether the lease has expired does not
   * matter: until someone takes it, its holder is still the only writer.
   */
  checkFence(subjectId: string, token: number): Promise<void>;
}

/** The FencedWriteError of a stale token. */
export function fencedWrite(subjectId: string, token: number, current: FollowerLease | undefined): FencedWriteError {
  const now = current
    ? `it is held by ${current.holder} with token ${current.token}`
    : 'it has no lease any more (the subject ended)';
  return new FencedWriteError(
    `a write as the follower of ${subjectId} with fencing token ${token} was refused: ${now}; this replica stops following it`,
    current === undefined,
  );
}
