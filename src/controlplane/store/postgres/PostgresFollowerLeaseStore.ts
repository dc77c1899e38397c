/**
 * The `follower_leases` table: the PostgreSQL {@link FollowerLeaseStore}, which several replicas
 * share. Expiry is by the database's clock (`clock_timestamp()`), so replicas' clocks may differ.
 * Taking a lease is one conditional statement (an insert, or an update of an expired row that
 * raises the token), so two replicas taking the same lease at once get it once. A fence check
 * reads the row `FOR SHARE`: a takeover's update waits for every unit that checked the old token,
 * and a unit that checks after a takeover committed sees the new token and is refused. When its
 * subject ends, a lease's row stays, held by nobody ('') and never expiring, so that nobody takes it
 * again: taken anew from token 1, a stale holder's old token would pass the fence again.
 */
import { fencedWrite, type FollowerLease, type FollowerLeaseStore, type HeldLease } from '../FollowerLeaseStore.js';
import type { PostgresAccess } from './PostgresAccess.js';

interface LeaseRow {
  subject_id: string;
  holder: string;
  fencing_token: number;
  expires_at: Date;
}

/** A lease's length as an interval from milliseconds. */
const TTL = 'make_interval(secs => $3::double precision / 1000)';

/** Follower leases in PostgreSQL. */
export class PostgresFollowerLeaseStore implements FollowerLeaseStore {
  constructor(private readonly access: PostgresAccess) {}

  async acquire(subjectId: string, holder: string, ttlMs: number, force = false): Promise<FollowerLease | undefined> {
    const { rows } = await this.access.query<LeaseRow>(
      `INSERT INTO follower_leases AS lease (subject_id, holder, fencing_token, expires_at)
       VALUES ($1, $2, 1, clock_timestamp() + ${TTL})
       ON CONFLICT (subject_id) DO UPDATE
         SET holder = EXCLUDED.holder, fencing_token = lease.fencing_token + 1, expires_at = EXCLUDED.expires_at
         WHERE lease.holder <> '' AND ($4 OR lease.expires_at <= clock_timestamp())
       RETURNING *`,
      [subjectId, holder, ttlMs, force],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async renew(holder: string, leases: readonly HeldLease[], ttlMs: number): Promise<string[]> {
    if (leases.length === 0) return [];
    const { rows } = await this.access.query<{ subject_id: string }>(
      `UPDATE follower_leases SET expires_at = clock_timestamp() + ${TTL}
       FROM unnest($1::text[], $4::bigint[]) AS held (subject_id, token)
       WHERE follower_leases.subject_id = held.subject_id AND follower_leases.fencing_token = held.token
         AND follower_leases.holder = $2
       RETURNING follower_leases.subject_id`,
      [leases.map((lease) => lease.subjectId), holder, ttlMs, leases.map((lease) => lease.token)],
    );
    return rows.map((row) => row.subject_id);
  }

  async release(subjectId: string, holder: string, token: number, ended: boolean): Promise<void> {
    await this.access.query(
      ended
        ? `UPDATE follower_leases SET holder = '', expires_at = 'infinity' WHERE subject_id = $1 AND holder = $2 AND fencing_token = $3`
        : `UPDATE follower_leases SET expires_at = '-infinity' WHERE subject_id = $1 AND holder = $2 AND fencing_token = $3`,
      [subjectId, holder, token],
    );
  }

  async expired(limit: number): Promise<string[]> {
    const { rows } = await this.access.query<{ subject_id: string }>(
      'SELECT subject_id FROM follower_leases WHERE expires_at <= clock_timestamp() ORDER BY expires_at LIMIT $1',
      [limit],
    );
    return rows.map((row) => row.subject_id);
  }

  async find(subjectId: string): Promise<FollowerLease | undefined> {
    const { rows } = await this.access.query<LeaseRow>(
      "SELECT * FROM follower_leases WHERE subject_id = $1 AND holder <> ''",
      [subjectId],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async checkFence(subjectId: string, token: number): Promise<void> {
    const { rows } = await this.access.query<LeaseRow>(
      'SELECT * FROM follower_leases WHERE subject_id = $1 FOR SHARE',
      [subjectId],
    );
    const row = rows[0]?.holder === '' ? undefined : rows[0];
    if (row?.fencing_token !== token) throw fencedWrite(subjectId, token, row && fromRow(row));
  }
}

function fromRow(row: LeaseRow): FollowerLease {
  return { subjectId: row.subject_id, holder: row.holder, token: row.fencing_token, expiresAt: row.expires_at };
}
