/**
 * The lease of a cluster a control plane deployed for an application (`flotilla jobmanager
 * --lease-time`): the control plane renews it (RenewClusterLease) while it looks after the cluster,
 * and once the cluster has gone a whole lease time with no job running and no renewal, it ends
 * itself. So a cluster whose control plane died for good before it submitted anything (or after
 * its application ended) leaves no process behind, on any deployment target: the job manager is
 * the same process everywhere. A running job holds the lease by itself (a cluster never needs its
 * control plane to finish its work), and the time counts from the later of the last renewal and
 * the first check (every quarter of the lease time, at most 1 s) that found no job running any
 * more, never earlier than the last job's end, so a control plane that restarts within the lease time still
 * finds the cluster with its final events.
 */
import type { Logger } from '../common/logger.js';

/** What a lease needs. */
export interface ClusterLeaseOptions {
  /** How long the cluster may go unrenewed while no job runs, in milliseconds (positive). */
  leaseTimeMs: number;
  /** Whether a job runs now (any job not in a terminal status). */
  busy(): boolean;
  /** Called once when the lease has expired: the cluster should shut down. */
  onExpired(reason: string): void;
  logger: Logger;
  /** How often the lease is checked (default a quarter of the lease time, at most 1 s). */
  checkIntervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** A cluster's lease, held by renewals and running jobs. */
export class ClusterLease {
  private readonly now: () => number;
  private heldAt: number;
  private lastHolder = '';
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private busyAtLastCheck = false;

  constructor(private readonly options: ClusterLeaseOptions) {
    if (!Number.isSafeInteger(options.leaseTimeMs) || options.leaseTimeMs <= 0)
      throw new RangeError(`leaseTimeMs must be a positive integer, got ${options.leaseTimeMs}`);
    this.now = options.now ?? Date.now;
    // The first lease time counts from the start: a control plane that never renews still ends it.
    this.heldAt = this.now();
  }

  /** The lease time in milliseconds. */
  get leaseTimeMs(): number {
    return this.options.leaseTimeMs;
  }

  /** Starts checking the lease. */
  start(): void {
    const interval = this.options.checkIntervalMs ?? Math.min(1000, Math.max(10, this.options.leaseTimeMs / 4));
    this.timer ??= setInterval(() => this.check(), interval);
    // The lease never keeps the process alive: it only ends it.
    this.timer.unref();
  }

  /** A renewal from `holder` (may be empty): the lease holds for another lease time from now. */
  renew(holder: string): void {
    if (holder !== this.lastHolder) {
      this.options.logger.info({ holder, leaseTimeMs: this.leaseTimeMs }, 'cluster lease renewed by a new holder');
      this.lastHolder = holder;
    }
    this.heldAt = this.now();
  }

  /** Checks the lease now: a running job holds it; without one, a lease time past the last hold ends it. */
  check(): void {
    if (this.expired) return;
    const now = this.now();
    const busy = this.options.busy();
    // A job running holds the lease, and so does the end of the last one: the idle time counts from the first check that found none running.
    if (busy || this.busyAtLastCheck) this.heldAt = now;
    this.busyAtLastCheck = busy;
    if (busy) return;
    const idleMs = now - this.heldAt;
    if (idleMs < this.options.leaseTimeMs) return;
    this.expired = true;
    this.close();
    const reason = `no control plane renewed the cluster's lease for ${Math.round(idleMs / 1000)} s (lease time ${Math.round(this.options.leaseTimeMs / 1000)} s) while no job ran`;
    this.options.logger.warn({ leaseTimeMs: this.leaseTimeMs, idleMs }, `cluster lease expired: ${reason}`);
    this.options.onExpired(reason);
  }

  /** Stops checking (the job manager is shutting down). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
