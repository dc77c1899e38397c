/**
 * The `follower_leases` table: the SQLite {@link FollowerLeaseStore}. One process writes a SQLite
 * file, so on SQLite the control plane holds every lease itself (clusters/SoleFollower.ts) and
 * never checks a fence on its path of events; the table is here so that the store contract holds
 * the same on both stores. Expiry is by this process's clock, in milliseconds. An ended subject's
 * row stays, held by nobody, so that its tokens never start over (see PostgresFollowerLeaseStore).
 */
import { fencedWrite, type FollowerLease, type FollowerLeaseStore, type HeldLease } from '../FollowerLeaseStore.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

/** The holder of an ended subject's lease: the row stays with its last token, never expires, and is taken by nobody. */
const ENDED = '';

interface LeaseRow {
  subject_id: string;
  holder: string;
  fencing_token: number;
  expires_at: number;
}

/** Follower leases in the state database. */
export class SqliteFollowerLeaseStore implements FollowerLeaseStore {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
  ) {}

  acquire(subjectId: string, holder: string, ttlMs: number, force = false): Promise<FollowerLease | undefined> {
    return this.access.write(() => {
      const now = Date.now();
      const row = this.select(subjectId);
      // An ended subject's lease is never taken again: its token would start over.
      if (row?.holder === ENDED) return undefined;
      if (!row) {
        this.db
          .prepare('INSERT INTO follower_leases (subject_id, holder, fencing_token, expires_at) VALUES (?, ?, 1, ?)')
          .run(subjectId, holder, now + ttlMs);
      } else if (force || row.expires_at <= now) {
        this.db
          .prepare(
            'UPDATE follower_leases SET holder = ?, fencing_token = fencing_token + 1, expires_at = ? WHERE subject_id = ?',
          )
          .run(holder, now + ttlMs, subjectId);
      } else return undefined;
      return fromRow(this.select(subjectId)!);
    });
  }

  renew(holder: string, leases: readonly HeldLease[], ttlMs: number): Promise<string[]> {
    return this.access.write(() => {
      const expiresAt = Date.now() + ttlMs;
      const update = this.db.prepare(
        'UPDATE follower_leases SET expires_at = ? WHERE subject_id = ? AND holder = ? AND fencing_token = ?',
      );
      return leases
        .filter((lease) => update.run(expiresAt, lease.subjectId, holder, lease.token).changes > 0)
        .map((lease) => lease.subjectId);
    });
  }

  release(subjectId: string, holder: string, token: number, ended: boolean): Promise<void> {
    return this.access.write(() => {
      const sql = ended
        ? `UPDATE follower_leases SET holder = '${ENDED}', expires_at = ${Number.MAX_SAFE_INTEGER} WHERE subject_id = ? AND holder = ? AND fencing_token = ?`
        : `UPDATE follower_leases SET expires_at = ${Date.now() - 1} WHERE subject_id = ? AND holder = ? AND fencing_token = ?`;
      this.db.prepare(sql).run(subjectId, holder, token);
    });
  }

  expired(limit: number): Promise<string[]> {
    return this.access.read(() =>
      (
        this.db
          .prepare('SELECT subject_id FROM follower_leases WHERE expires_at <= ? ORDER BY expires_at LIMIT ?')
          .all(Date.now(), limit) as { subject_id: string }[]
      ).map((row) => row.subject_id),
    );
  }

  find(subjectId: string): Promise<FollowerLease | undefined> {
    return this.access.read(() => {
      const row = this.select(subjectId);
      return row && row.holder !== ENDED ? fromRow(row) : undefined;
    });
  }

  checkFence(subjectId: string, token: number): Promise<void> {
    return this.access.read(() => {
      const row = this.select(subjectId);
      if (row?.holder === ENDED) throw fencedWrite(subjectId, token, undefined);
      if (row?.fencing_token !== token) throw fencedWrite(subjectId, token, row && fromRow(row));
    });
  }

  private select(subjectId: string): LeaseRow | undefined {
    return this.db.prepare('SELECT * FROM follower_leases WHERE subject_id = ?').get(subjectId) as LeaseRow | undefined;
  }
}

function fromRow(row: LeaseRow): FollowerLease {
  return {
    subjectId: row.subject_id,
    holder: row.holder,
    token: row.fencing_token,
    expiresAt: new Date(row.expires_at),
  };
}
