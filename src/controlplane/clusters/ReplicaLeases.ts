/**
 * The follower leases of one replica among several on a PostgreSQL database. A lease lasts
 * `leaseMs`; every third of it the replica renews all it holds in one statement (a lease missing
 * from the answer was taken over: the replica stops following it at once) and takes the leases that
 * have expired, each with a new fencing token, and adopts their subjects (follows the cluster from
 * its last stored job-event sequence, resumes the launch). A replica that dies stops renewing, so
 * its subjects are taken over within `leaseMs` plus one tick; one that is paused or cut off past
 * its lease may wake up still believing it follows, but every write it makes as a follower carries
 * its old token and the store refuses it ({@link ReplicaLeases.fence}), counted and logged.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../common/logger.js';
import type { ControlPlaneStore, StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import { FencedWriteError, fencedWrite } from '../store/FollowerLeaseStore.js';
import type { FollowerLeaseHandlers, FollowerLeases } from './FollowerLeases.js';

/** The default length of a lease: a dead replica's clusters are taken over within 6 s + 2 s. */
export const DEFAULT_FOLLOWER_LEASE_MS = 6000;

/** How many expired leases one tick takes at most. */
const TAKE_PER_TICK = 100;

/** What the leases of a replica need. */
export interface ReplicaLeasesOptions {
  store: ControlPlaneStore;
  logger: Logger;
  /** How long a lease lasts without renewal (DEFAULT_FOLLOWER_LEASE_MS unless given). */
  leaseMs?: number;
  /** Told of each write the store refused because this replica's token was stale. */
  onFencedWrite?: () => void;
}

/** A replica's leases. */
export class ReplicaLeases implements FollowerLeases {
  readonly shared = true;
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private readonly leaseMs: number;
  /** The token of each lease held. */
  private readonly held = new Map<string, number>();
  /**
   * The token of each lease this replica held and lost (taken over): a write still under way as
   * its follower carries it to the store, which refuses it, so a stale write is refused where the
   * truth is, whatever this replica has noticed yet.
   */
  private readonly lostTokens = new Map<string, number>();
  private handlers: FollowerLeaseHandlers | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: ReplicaLeasesOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_FOLLOWER_LEASE_MS;
  }

  async claim(tx: StoreTransaction, subjectId: string): Promise<void> {
    const lease = await tx.leases.acquire(subjectId, this.holder, this.leaseMs);
    if (!lease) throw new Error(`the lease of the new record ${subjectId} is held already`);
    tx.afterCommit(() => {
      this.held.set(subjectId, lease.token);
      this.options.logger.debug({ subjectId, token: lease.token }, 'claimed the lease');
    });
  }

  async fence(tx: StoreScope, subjectId: string): Promise<void> {
    const token = this.held.get(subjectId) ?? this.lostTokens.get(subjectId);
    if (token === undefined) {
      throw fencedWrite(subjectId, 0, await tx.leases.find(subjectId));
    }
    try {
      await tx.leases.checkFence(subjectId, token);
    } catch (error) {
      if (error instanceof FencedWriteError) {
        this.options.onFencedWrite?.();
        this.options.logger.warn(
          { subjectId, token, holder: this.holder, reason: error.message },
          'the store refused a stale write: this replica lost the lease',
        );
        this.lose(subjectId);
      }
      throw error;
    }
  }

  holds(subjectId: string): boolean {
    return this.held.has(subjectId);
  }

  lostToAnother(subjectId: string): boolean {
    return this.lostTokens.has(subjectId) && !this.held.has(subjectId);
  }

  async take(subjectId: string): Promise<boolean> {
    if (this.held.has(subjectId)) return true;
    const lease = await this.options.store.leases.acquire(subjectId, this.holder, this.leaseMs);
    if (lease) this.held.set(subjectId, lease.token);
    return lease !== undefined;
  }

  async seize(subjectId: string): Promise<void> {
    if (this.held.has(subjectId)) return;
    const lease = await this.options.store.leases.acquire(subjectId, this.holder, this.leaseMs, true);
    if (lease) this.held.set(subjectId, lease.token);
    this.options.logger.info({ subjectId, token: lease?.token }, 'took the lease over to act on it');
  }

  async letGo(subjectId: string): Promise<void> {
    const token = this.held.get(subjectId);
    if (token === undefined) return;
    this.held.delete(subjectId);
    await this.options.store.leases.release(subjectId, this.holder, token, false);
  }

  ended(subjectId: string): void {
    const token = this.held.get(subjectId);
    if (token === undefined) return;
    this.held.delete(subjectId);
    this.options.store.leases
      .release(subjectId, this.holder, token, true)
      .catch((error: unknown) => this.options.logger.warn({ err: error, subjectId }, 'could not drop a lease'));
  }

  /** Takes what nobody holds (the active clusters and applications first), then ticks every third of a lease. */
  async start(handlers: FollowerLeaseHandlers): Promise<void> {
    this.handlers = handlers;
    const { store } = this.options;
    const subjects = [
      ...(await store.clusters.active()).map((cluster) => cluster.id),
      ...(await store.applications.active()).map((application) => application.id),
      ...(await store.leases.expired(TAKE_PER_TICK)),
    ];
    const taken = await this.takeFree([...new Set(subjects)]);
    if (taken.length > 0) await handlers.adopt(taken);
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.leaseMs / 3);
    this.timer.unref();
    this.options.logger.info(
      { holder: this.holder, leaseMs: this.leaseMs, held: this.held.size },
      'following clusters under leases',
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(
      held.map(([subjectId, token]) =>
        this.options.store.leases.release(subjectId, this.holder, token, false).catch(() => undefined),
      ),
    );
  }

  private async tick(): Promise<void> {
    try {
      const held = [...this.held].map(([subjectId, token]) => ({ subjectId, token }));
      const renewed = new Set(await this.options.store.leases.renew(this.holder, held, this.leaseMs));
      for (const { subjectId, token } of held) {
        // Still the same lease (not dropped or taken again meanwhile) and not renewed: lost.
        if (!renewed.has(subjectId) && this.held.get(subjectId) === token) {
          this.options.logger.warn({ subjectId, token }, 'lease lost: another replica took it over');
          this.lose(subjectId);
        }
      }
      if (this.closed) return;
      const taken = await this.takeFree(await this.options.store.leases.expired(TAKE_PER_TICK));
      // Not awaited: following what was taken over must not hold up the next renewal.
      if (taken.length > 0)
        this.handlers
          ?.adopt(taken)
          .catch((error: unknown) =>
            this.options.logger.error({ err: error, subjects: taken }, 'following what was taken over failed'),
          );
    } catch (error) {
      if (!this.closed) this.options.logger.warn({ err: error }, 'renewing or taking leases failed; trying again');
    }
  }

  /** Takes those of `subjectIds` whose lease is free or expired; resolves with those taken. */
  private async takeFree(subjectIds: readonly string[]): Promise<string[]> {
    const taken: string[] = [];
    for (const subjectId of subjectIds) {
      if (this.held.has(subjectId) || this.closed) continue;
      const lease = await this.options.store.leases.acquire(subjectId, this.holder, this.leaseMs);
      if (!lease) continue;
      this.lostTokens.delete(subjectId);
      this.held.set(subjectId, lease.token);
      taken.push(subjectId);
    }
    for (const subjectId of taken)
      this.options.logger.info({ subjectId, token: this.held.get(subjectId) }, 'took the lease over');
    return taken;
  }

  private lose(subjectId: string): void {
    const token = this.held.get(subjectId);
    if (token === undefined) return;
    this.held.delete(subjectId);
    this.lostTokens.set(subjectId, token);
    // A few recent ones are enough: a follower stops at its first refused write.
    if (this.lostTokens.size > 1000) this.lostTokens.delete(this.lostTokens.keys().next().value!);
    this.handlers?.lost(subjectId);
  }
}
