/**
 * The leases the control plane holds on the clusters it deployed for applications: while it looks
 * after such a cluster (from the moment its job manager listens until it is torn down or lost, and
 * again after a restart), it renews the cluster's lease (RenewClusterLease) every third of the lease
 * time. A job manager started with a lease ends its cluster once no job has run and no renewal has
 * come for the lease time (`src/dispatcher/ClusterLease.ts`), so a cluster whose control plane is gone
 * for good does not stay up forever. Shared clusters (`flotilla cluster start`) and external ones
 * (`-m`) have no lease: they run until someone stops them.
 */
import { hostname } from 'node:os';
import type { Logger } from '../../common/logger.js';
import type { DispatcherGateway } from './DispatcherGateway.js';

/** What the renewals need. */
export interface ClusterLeaseRenewalsOptions {
  /** The lease time owned clusters are deployed with, in milliseconds (positive). */
  leaseTimeMs: number;
  logger: Logger;
  /** Who renews, as the job managers log it (default: this process's host name and pid). */
  holder?: string;
}

interface HeldLease {
  timer?: NodeJS.Timeout;
  intervalMs: number;
}

/** Renews the leases of the clusters held, each on its own timer. */
export class ClusterLeaseRenewals {
  private readonly held = new Map<string, HeldLease>();
  private readonly holder: string;
  private closed = false;

  constructor(private readonly options: ClusterLeaseRenewalsOptions) {
    this.holder = options.holder ?? `control plane on ${hostname()} (pid ${process.pid})`;
  }

  /** The lease time owned clusters are deployed with, in milliseconds. */
  get leaseTimeMs(): number {
    return this.options.leaseTimeMs;
  }

  /** Starts renewing a cluster's lease through `gateway` (once per cluster): now, then every third of the lease time. */
  hold(clusterId: string, gateway: DispatcherGateway): void {
    if (this.closed || this.held.has(clusterId)) return;
    const lease: HeldLease = { intervalMs: this.options.leaseTimeMs / 3 };
    this.held.set(clusterId, lease);
    const renew = async () => {
      try {
        const granted = await gateway.renewClusterLease(this.holder, { timeoutMs: Math.min(5000, lease.intervalMs) });
        // A job manager started with a shorter lease (by a control plane configured otherwise before a restart) is renewed more often.
        lease.intervalMs = Math.min(this.options.leaseTimeMs, granted || this.options.leaseTimeMs) / 3;
      } catch (error) {
        this.options.logger.debug({ err: error, clusterId }, 'renewing the cluster lease failed; trying again');
      }
      if (this.held.get(clusterId) !== lease) return;
      lease.timer = setTimeout(() => void renew(), lease.intervalMs);
      lease.timer.unref();
    };
    void renew();
  }

  /** Stops renewing a cluster's lease (it ended, or is being torn down). */
  release(clusterId: string): void {
    const lease = this.held.get(clusterId);
    if (!lease) return;
    clearTimeout(lease.timer);
    this.held.delete(clusterId);
  }

  /** Stops every renewal (the control plane stops; its clusters keep running for their lease time). */
  close(): void {
    this.closed = true;
    for (const clusterId of [...this.held.keys()]) this.release(clusterId);
  }
}
