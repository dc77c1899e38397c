/**
 * The control plane's auth config (`flotilla controlplane --auth-config FILE`): the tenants, the
 * bearer tokens that name each, and each tenant's limits. A JSON file:
 *
 * ```json
 * { "tenants": [ { "name": "team-a", "tokens": ["<at least 16 characters>"], "max_running_applications": 10,
 *                  "max_clusters": 4, "max_task_executors": 16 } ] }
 * ```
 *
 * `max_clusters` counts every cluster the control plane deployed for the tenant that has not ended:
 * shared ones (`cluster start`), those an application deployed for itself, and each per-job
 * cluster (a per-job cluster costs what any cluster costs, so it has no setting of its own);
 * `max_task_executors` is the sum of the task executors those clusters ask for.
 *
 * Parsing refuses anything it does not understand (an unknown key is a typo, not a setting to
 * ignore), a token shared by two tenants, and tokens too short to be secret.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** One tenant. */
export interface TenantConfig {
  /** The tenant's name: letters, digits, '.', '_', '-'. */
  name: string;
  /** The bearer tokens that act for it (several, so a token can be rotated). */
  tokens: string[];
  /** The most applications it may have running at once; the control plane's default when not given. */
  maxRunningApplications?: number;
  /** The most clusters deployed for it (shared, owned, per-job) that have not ended; the control plane's default when not given. */
  maxClusters?: number;
  /** The most task executors its clusters may ask for together; the control plane's default when not given. */
  maxTaskExecutors?: number;
}

/** A parsed auth config. */
export interface AuthConfig {
  tenants: TenantConfig[];
}

/** The shortest token accepted. */
export const MIN_TOKEN_LENGTH = 16;

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** The tenant settings that are limits, with the field each becomes. */
const LIMIT_KEYS = {
  max_running_applications: 'maxRunningApplications',
  max_clusters: 'maxClusters',
  max_task_executors: 'maxTaskExecutors',
} as const;
const TENANT_KEYS = new Set(['name', 'tokens', ...Object.keys(LIMIT_KEYS)]);

/** Parses and checks an auth config; INVALID_ARGUMENT naming the first problem and where it is (`source`, the file). */
export function parseAuthConfig(text: string, source: string): AuthConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const fail = (where: string, problem: string): never => {
    throw new InvalidArgumentError(`${source}: ${where} ${problem}`);
  };
  if (!isObject(document) || !Array.isArray(document.tenants))
    return fail('the top level', 'must be an object with a "tenants" array');
  for (const key of Object.keys(document))
    if (key !== 'tenants') fail(`key "${key}"`, 'is not a setting of the auth config (only "tenants")');
  if (document.tenants.length === 0) fail('"tenants"', 'is empty: name at least one tenant with its tokens');
  const names = new Set<string>();
  const owners = new Map<string, string>();
  const tenants = document.tenants.map((entry: unknown, index: number): TenantConfig => {
    const where = `tenants[${index}]`;
    if (!isObject(entry)) return fail(where, 'must be an object with "name" and "tokens"');
    for (const key of Object.keys(entry))
      if (!TENANT_KEYS.has(key)) fail(`${where}.${key}`, `is not a tenant setting (${[...TENANT_KEYS].join(', ')})`);
    const name = entry.name;
    if (typeof name !== 'string' || !TENANT_NAME.test(name))
      fail(`${where}.name`, 'must be 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (names.has(name as string)) fail(`${where}.name`, `"${name as string}" names two tenants`);
    names.add(name as string);
    if (!Array.isArray(entry.tokens) || entry.tokens.length === 0)
      fail(`${where}.tokens`, 'must be a non-empty array of token strings');
    const tokens = (entry.tokens as unknown[]).map((token, tokenIndex) => {
      if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        fail(
          `${where}.tokens[${tokenIndex}]`,
          `must be a string of at least ${MIN_TOKEN_LENGTH} characters without spaces (for example from "openssl rand -hex 32")`,
        );
      }
      const owner = owners.get(token as string);
      if (owner !== undefined)
        fail(`${where}.tokens[${tokenIndex}]`, `is also a token of tenant "${owner}"; a token names one tenant`);
      owners.set(token as string, name as string);
      return token as string;
    });
    const tenant: TenantConfig = { name: name as string, tokens };
    for (const [key, field] of Object.entries(LIMIT_KEYS)) {
      const max = entry[key];
      if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1))
        fail(`${where}.${key}`, 'must be a whole number of at least 1');
      if (max !== undefined) tenant[field] = max as number;
    }
    return tenant;
  });
  return { tenants };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
