/**
 * The control plane's authentication options: `--auth-config FILE` (tenants and their bearer
 * tokens), the default limits of tenants (`--max-applications-per-tenant`, `--max-clusters-per-tenant`,
 * `--max-task-executors-per-tenant`), and what they become: the tenant directory and the
 * bearer-token authentication.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { parseAuthConfig, type AuthConfig } from '../../controlplane/tenants/AuthConfig.js';
import { TenantDirectory } from '../../controlplane/tenants/TenantDirectory.js';
import type { CallerAuthentication } from '../../rpc/security/authenticationMiddleware.js';
import { bearerTokenAuthentication } from '../../rpc/security/bearerTokenAuthentication.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';
import { nonNegativeInteger, readOptionFile } from '../options/optionValues.js';

/** The control plane's options about tenants. */
export const AUTH_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'auth-config',
    type: 'string',
    valueName: 'FILE',
    description:
      'Ask every caller for a bearer token and keep tenants apart. FILE is JSON: {"tenants": [{"name": "team-a", "tokens": ["<16+ characters>"], "max_running_applications": 10, "max_clusters": 4, "max_task_executors": 16}]}. ' +
      'A tenant sees, watches, reads the logs of and cancels only its own applications and clusters; those of others answer NOT_FOUND. Health and reflection stay open. Keep the file readable only by the control plane.',
  },
  {
    name: 'max-applications-per-tenant',
    type: 'number',
    valueName: 'N',
    description:
      "Most applications a tenant (or, without --auth-config, all callers) may have running at once; one more is RESOURCE_EXHAUSTED. A tenant's max_running_applications overrides it. 0: no limit.",
    default: 0,
  },
  {
    name: 'max-clusters-per-tenant',
    type: 'number',
    valueName: 'N',
    description:
      "Most clusters this control plane may have deploying or running for a tenant (or, without --auth-config, for all callers): shared ones (flotilla cluster start, also with --no-wait), those driver and application modes deploy for an application, and each per-job cluster; external ones (-m) and those being stopped do not count. One more is RESOURCE_EXHAUSTED, from cluster start, from run when it would deploy one, and from a per-job job's submission. A tenant's max_clusters overrides it. 0: no limit.",
    default: 0,
  },
  {
    name: 'max-task-executors-per-tenant',
    type: 'number',
    valueName: 'N',
    description:
      "Most task executors a tenant's clusters (those --max-clusters-per-tenant counts) may ask for together; a cluster that would pass it is RESOURCE_EXHAUSTED. A tenant's max_task_executors overrides it. 0: no limit.",
    default: 0,
  },
];

/** The tenant directory, the tenants' names (undefined without --auth-config) and, with --auth-config, the bearer-token authentication. */
export function authOptions(args: ParsedCommandLine): {
  tenants: TenantDirectory;
  tenantNames: string[] | undefined;
  authentication: CallerAuthentication | undefined;
} {
  const file = args.options['auth-config'] as string | undefined;
  const config = file ? readAuthConfig(file) : undefined;
  const tenants = new TenantDirectory(config, {
    maxRunningApplications: nonNegativeInteger(args, 'max-applications-per-tenant', 'no limit'),
    maxClusters: nonNegativeInteger(args, 'max-clusters-per-tenant', 'no limit'),
    maxTaskExecutors: nonNegativeInteger(args, 'max-task-executors-per-tenant', 'no limit'),
  });
  return {
    tenants,
    tenantNames: config?.tenants.map((tenant) => tenant.name),
    authentication: config ? bearerTokenAuthentication((token) => tenants.tenantOf(token)) : undefined,
  };
}

function readAuthConfig(file: string): AuthConfig {
  const text = readOptionFile(file, '--auth-config');
  try {
    return parseAuthConfig(text, `--auth-config ${file}`);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}
