/**
 * The job managers the operator lets tenants name with `-m HOST:PORT` (`--external-jobmanager`):
 * each listed address with the secret the control plane presents to it, and the tenants that may
 * use it. The control plane connects to an address a tenant names only when it is listed here for
 * that tenant, so a tenant cannot make it send a secret (or any call) to a listener of its own.
 */

/** One job manager the operator listed. */
export interface ExternalJobManager {
  /** Its address, `HOST:PORT` as tenants name it with `-m`. */
  address: string;
  /** The secret it was started with (its `--cluster-secret-file`); none for a job manager without one. */
  clusterSecret?: string;
  /** The tenants that may name it; empty: every tenant. */
  tenants: readonly string[];
}

/** The listed job managers, by address. */
export class ExternalJobManagers {
  private readonly byAddress = new Map<string, ExternalJobManager>();

  constructor(listed: readonly ExternalJobManager[] = []) {
    for (const jobManager of listed) {
      const key = addressKey(jobManager.address);
      if (this.byAddress.has(key)) throw new Error(`the job manager at ${jobManager.address} is listed twice`);
      this.byAddress.set(key, jobManager);
    }
  }

  /** How many job managers are listed. */
  get size(): number {
    return this.byAddress.size;
  }

  /** The job manager at `address` when `tenant` may use it; undefined when it is not listed for that tenant. */
  usableBy(address: string, tenant: string): ExternalJobManager | undefined {
    const listed = this.byAddress.get(addressKey(address));
    if (!listed) return undefined;
    return listed.tenants.length === 0 || listed.tenants.includes(tenant) ? listed : undefined;
  }
}

/** Host names are case-insensitive; everything else of the address is compared as written. */
function addressKey(address: string): string {
  return address.trim().toLowerCase();
}
