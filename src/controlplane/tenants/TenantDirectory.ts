/**
 * The tenants of a control plane: which tenant a bearer token names (tokens are kept only as
 * sha256 digests, looked up by digest), and each tenant's limits: how many applications it may
 * run, how many clusters may be deployed for it and how many task executors they may ask for.
 * A tenant's own setting in the auth config wins over the control plane's default. Without an auth
 * config there is one tenant, '', limited by the control plane's defaults if it has any.
 */
import { createHash } from 'node:crypto';
import type { ClusterLimits, TenantLimit } from '../clusters/ClusterLimits.js';
import type { AuthConfig, TenantConfig } from './AuthConfig.js';

/** The control plane's defaults for tenants whose config sets no limit of their own (0 or undefined: no limit). */
export interface TenantLimitDefaults {
  /** --max-applications-per-tenant */
  maxRunningApplications?: number;
  /** --max-clusters-per-tenant */
  maxClusters?: number;
  /** --max-task-executors-per-tenant */
  maxTaskExecutors?: number;
}

/** Each limit: its field in a tenant's config, its key in the auth config and the flag of its default. */
const LIMITS = {
  applications: ['maxRunningApplications', 'max_running_applications', '--max-applications-per-tenant'],
  clusters: ['maxClusters', 'max_clusters', '--max-clusters-per-tenant'],
  taskExecutors: ['maxTaskExecutors', 'max_task_executors', '--max-task-executors-per-tenant'],
} as const satisfies Record<string, readonly [keyof TenantLimitDefaults & keyof TenantConfig, string, string]>;

/** Tenants, their tokens and limits. */
export class TenantDirectory {
  private readonly byDigest = new Map<string, string>();
  private readonly tenants = new Map<string, TenantConfig>();
  private readonly defaults: TenantLimitDefaults;
  /** The names of the configured tenants; empty without an auth config (the single tenant ''). */
  readonly names: readonly string[];

  /**
   * The tenants of `config` (none: the single tenant ''); `defaults` limit every tenant the config
   * gives no limit of that kind.
   */
  constructor(config: AuthConfig | undefined, defaults: TenantLimitDefaults = {}) {
    this.defaults = defaults;
    this.names = (config?.tenants ?? []).map((tenant) => tenant.name);
    for (const tenant of config?.tenants ?? []) {
      for (const token of tenant.tokens) this.byDigest.set(digest(token), tenant.name);
      this.tenants.set(tenant.name, tenant);
    }
  }

  /** Whether callers must present a token. */
  get authenticates(): boolean {
    return this.byDigest.size > 0;
  }

  /** The tenant a token names, or undefined for a token no tenant has. */
  tenantOf(token: string): string | undefined {
    return this.byDigest.get(digest(token));
  }

  /** How many applications `tenant` may run at once; undefined for no limit. */
  applicationLimit(tenant: string): TenantLimit | undefined {
    return this.limit(tenant, 'applications');
  }

  /** How many clusters may be deployed for `tenant`, and task executors in them; undefined for no limit. */
  clusterLimits(tenant: string): ClusterLimits | undefined {
    const clusters = this.limit(tenant, 'clusters');
    const taskExecutors = this.limit(tenant, 'taskExecutors');
    return clusters || taskExecutors ? { clusters, taskExecutors } : undefined;
  }

  private limit(tenant: string, kind: keyof typeof LIMITS): TenantLimit | undefined {
    const [field, key, flag] = LIMITS[kind];
    const own = this.tenants.get(tenant)?.[field];
    if (own !== undefined) return { max: own, setting: `${key} of tenant ${tenant} in the auth config` };
    const max = this.defaults[field];
    return max ? { max, setting: flag } : undefined;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
