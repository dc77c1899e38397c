/**
 * The tenants of a control plane: which tenant a bearer token names (tokens are kept only as
 * sha256 digests, looked up by digest), and how many applications each tenant may run. Without an
 * auth config there is one tenant, '', limited by the control plane's default if it has one.
 */
import { createHash } from 'node:crypto';
import type { ApplicationLimit } from '../applications/ApplicationManager.js';
import type { AuthConfig } from './AuthConfig.js';

/** Tenants, their tokens and limits. */
export class TenantDirectory {
  private readonly byDigest = new Map<string, string>();
  private readonly limits = new Map<string, ApplicationLimit>();
  /** The names of the configured tenants; empty without an auth config (the single tenant ''). */
  readonly names: readonly string[];

  /**
   * The tenants of `config` (none: the single tenant ''); `defaultMaxApplications` limits every
   * tenant the config gives no `max_running_applications` (0 or undefined: no limit).
   */
  constructor(
    config: AuthConfig | undefined,
    private readonly defaultMaxApplications?: number,
  ) {
    this.names = (config?.tenants ?? []).map((tenant) => tenant.name);
    for (const tenant of config?.tenants ?? []) {
      for (const token of tenant.tokens) this.byDigest.set(digest(token), tenant.name);
      if (tenant.maxRunningApplications !== undefined) {
        this.limits.set(tenant.name, {
          max: tenant.maxRunningApplications,
          setting: `max_running_applications of tenant ${tenant.name} in the auth config`,
        });
      }
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
  applicationLimit(tenant: string): ApplicationLimit | undefined {
    const own = this.limits.get(tenant);
    if (own) return own;
    return this.defaultMaxApplications
      ? { max: this.defaultMaxApplications, setting: '--max-applications-per-tenant' }
      : undefined;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
