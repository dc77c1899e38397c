import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { parseAuthConfig } from './AuthConfig.js';
import { TenantDirectory } from './TenantDirectory.js';

const A = 'token-of-team-a-0123456789';
const B = 'token-of-team-b-0123456789';

describe('parseAuthConfig', () => {
  it('reads tenants, their tokens and their limits', () => {
    const config = parseAuthConfig(
      JSON.stringify({
        tenants: [
          { name: 'team-a', tokens: [A] },
          { name: 'team-b', tokens: [B], max_running_applications: 3, max_clusters: 2, max_task_executors: 8 },
        ],
      }),
      'auth.json',
    );
    expect(config).toEqual({
      tenants: [
        { name: 'team-a', tokens: [A] },
        { name: 'team-b', tokens: [B], maxRunningApplications: 3, maxClusters: 2, maxTaskExecutors: 8 },
      ],
    });
  });

  it.each([
    ['not JSON', '{', /auth.json is not JSON/],
    ['no tenants', '{}', /the top level must be an object with a "tenants" array/],
    ['an empty list', '{"tenants": []}', /"tenants" is empty/],
    [
      'an unknown key',
      JSON.stringify({ tenants: [{ name: 'a', tokens: [A], max_apps: 1 }] }),
      /tenants\[0\]\.max_apps is not a tenant setting/,
    ],
    [
      'a bad name',
      JSON.stringify({ tenants: [{ name: '../a', tokens: [A] }] }),
      /tenants\[0\]\.name must be 1 to 63 letters/,
    ],
    [
      'a name twice',
      JSON.stringify({
        tenants: [
          { name: 'a', tokens: [A] },
          { name: 'a', tokens: [B] },
        ],
      }),
      /"a" names two tenants/,
    ],
    [
      'a short token',
      JSON.stringify({ tenants: [{ name: 'a', tokens: ['short'] }] }),
      /tokens\[0\] must be a string of at least 16 characters/,
    ],
    [
      'a shared token',
      JSON.stringify({
        tenants: [
          { name: 'a', tokens: [A] },
          { name: 'b', tokens: [A] },
        ],
      }),
      /tenants\[1\]\.tokens\[0\] is also a token of tenant "a"/,
    ],
    [
      'a bad limit',
      JSON.stringify({ tenants: [{ name: 'a', tokens: [A], max_running_applications: 0 }] }),
      /max_running_applications must be a whole number of at least 1/,
    ],
    [
      'a bad cluster limit',
      JSON.stringify({ tenants: [{ name: 'a', tokens: [A], max_clusters: 1.5 }] }),
      /tenants\[0\]\.max_clusters must be a whole number of at least 1/,
    ],
    [
      'a bad task executor limit',
      JSON.stringify({ tenants: [{ name: 'a', tokens: [A], max_task_executors: '4' }] }),
      /tenants\[0\]\.max_task_executors must be a whole number of at least 1/,
    ],
  ])('refuses %s, naming where', (_what, text, message) => {
    expect(() => parseAuthConfig(text, 'auth.json')).toThrow(InvalidArgumentError);
    expect(() => parseAuthConfig(text, 'auth.json')).toThrow(message);
  });
});

describe('TenantDirectory', () => {
  const config = parseAuthConfig(
    JSON.stringify({
      tenants: [
        { name: 'team-a', tokens: [A] },
        { name: 'team-b', tokens: [B], max_running_applications: 3 },
      ],
    }),
    'auth.json',
  );

  it('maps tokens to tenants', () => {
    const tenants = new TenantDirectory(config);
    expect(tenants.authenticates).toBe(true);
    expect(tenants.tenantOf(A)).toBe('team-a');
    expect(tenants.tenantOf(B)).toBe('team-b');
    expect(tenants.tenantOf('token-of-nobody-0123456789')).toBeUndefined();
  });

  it("limits a tenant by its own setting, else by the control plane's default", () => {
    const tenants = new TenantDirectory(config, { maxRunningApplications: 10 });
    expect(tenants.applicationLimit('team-b')).toEqual({
      max: 3,
      setting: 'max_running_applications of tenant team-b in the auth config',
    });
    expect(tenants.applicationLimit('team-a')).toEqual({ max: 10, setting: '--max-applications-per-tenant' });
    expect(new TenantDirectory(config).applicationLimit('team-a')).toBeUndefined();
  });

  it("limits a tenant's clusters and task executors by its own settings, else by the control plane's defaults", () => {
    const limited = parseAuthConfig(
      JSON.stringify({
        tenants: [
          { name: 'team-a', tokens: [A] },
          { name: 'team-b', tokens: [B], max_clusters: 2 },
        ],
      }),
      'auth.json',
    );
    expect(new TenantDirectory(limited).clusterLimits('team-a')).toBeUndefined();
    expect(new TenantDirectory(limited).clusterLimits('team-b')).toEqual({
      clusters: { max: 2, setting: 'max_clusters of tenant team-b in the auth config' },
    });
    const tenants = new TenantDirectory(limited, { maxClusters: 5, maxTaskExecutors: 20 });
    expect(tenants.clusterLimits('team-a')).toEqual({
      clusters: { max: 5, setting: '--max-clusters-per-tenant' },
      taskExecutors: { max: 20, setting: '--max-task-executors-per-tenant' },
    });
    expect(tenants.clusterLimits('team-b')).toEqual({
      clusters: { max: 2, setting: 'max_clusters of tenant team-b in the auth config' },
      taskExecutors: { max: 20, setting: '--max-task-executors-per-tenant' },
    });
    expect(tenants.applicationLimit('team-b')).toBeUndefined();
  });

  it('without a config has one tenant, limited by the default only', () => {
    const tenants = new TenantDirectory(undefined, { maxRunningApplications: 2 });
    expect(tenants.authenticates).toBe(false);
    expect(tenants.applicationLimit('')).toEqual({ max: 2, setting: '--max-applications-per-tenant' });
  });
});
