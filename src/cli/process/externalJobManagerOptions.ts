/**
 * The control plane's `--external-jobmanager [TENANT,...@]HOST:PORT[=SECRET_FILE]` (repeatable):
 * the job managers tenants may name with `flotilla run -m`, each with the secret it was started
 * with, optionally only for some tenants. Any other `-m` address is refused before it is dialled,
 * so the control plane sends a secret only to the address the operator listed it for. The old
 * `--cluster-secret-file` of the control plane (one secret sent to any `-m` address) is refused
 * with the way to migrate.
 */
import { checkDialAddress } from '../../common/address.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { ExternalJobManagers, type ExternalJobManager } from '../../controlplane/clusters/ExternalJobManagers.js';
import { CLUSTER_SECRET_ENV } from '../../rpc/security/ClientSecurity.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';
import { readOptionFile } from '../options/optionValues.js';
import { checkClusterSecret } from './serverSecurityOptions.js';

const FLAG = '--external-jobmanager';

/** How to list a job manager, for messages. */
const HOW_TO_LIST = `${FLAG} HOST:PORT=SECRET_FILE (repeatable; prefix TENANT,TENANT@ to let only those tenants name it)`;

/** The options. */
export const EXTERNAL_JOBMANAGER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'external-jobmanager',
    type: 'list',
    valueName: '[TENANT,...@]HOST:PORT[=SECRET_FILE]',
    description:
      'A job manager tenants may name with "flotilla run -m HOST:PORT" (written exactly so), and the file holding the secret it was started with (its --cluster-secret-file; leave "=SECRET_FILE" out for one without a secret); the control plane sends that secret to that address only. TENANT,...@ lets only those tenants of --auth-config name it (default: every tenant). Any other -m address is refused before anything is sent to it, with the same NOT_FOUND message as an address nobody listens at; a job manager this control plane deployed is named by its own address without being listed.',
  },
  {
    name: 'cluster-secret-file',
    type: 'string',
    valueName: 'FILE',
    description: `No longer taken by the control plane (it sent one secret to any -m address a tenant named): the control plane refuses to start with it. List each job manager with its secret instead: ${HOW_TO_LIST}. ${CLUSTER_SECRET_ENV} is ignored by the control plane.`,
  },
];

/**
 * The listed job managers. `tenants` are the tenants of --auth-config (undefined without one);
 * `warn` hears of settings that are ignored.
 */
export function externalJobManagersOf(
  args: ParsedCommandLine,
  tenants: readonly string[] | undefined,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): ExternalJobManagers {
  if (args.options['cluster-secret-file'] !== undefined) {
    throw new UsageError(
      `--cluster-secret-file is no longer taken by the control plane: it sent that secret to any address a tenant named with -m. List each job manager tenants may name, with the file of its secret: ${HOW_TO_LIST}`,
    );
  }
  if (env[CLUSTER_SECRET_ENV])
    warn(`${CLUSTER_SECRET_ENV} is ignored by the control plane; list job managers with their secrets: ${HOW_TO_LIST}`);
  const entries = (args.options['external-jobmanager'] as string[] | undefined) ?? [];
  const listed = entries.map((entry) => parseEntry(entry, tenants));
  const seen = new Set<string>();
  for (const { address } of listed) {
    if (seen.has(address.toLowerCase())) throw new UsageError(`${FLAG} lists ${address} twice; list it once`);
    seen.add(address.toLowerCase());
  }
  return new ExternalJobManagers(listed);
}

/** One `[TENANT,...@]HOST:PORT[=SECRET_FILE]`. */
function parseEntry(entry: string, known: readonly string[] | undefined): ExternalJobManager {
  const at = entry.indexOf('@');
  const rest = entry.slice(at + 1);
  const equals = rest.indexOf('=');
  const addressText = equals >= 0 ? rest.slice(0, equals) : rest;
  const file = equals >= 0 ? rest.slice(equals + 1) : undefined;
  let address: string;
  try {
    address = checkDialAddress(addressText, `${FLAG} ${entry}:`);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(`${error.message}; write ${HOW_TO_LIST}`);
    throw error;
  }
  const tenants = at >= 0 ? entry.slice(0, at).split(',') : [];
  for (const tenant of tenants) {
    if (known === undefined)
      throw new UsageError(`${FLAG} ${entry} names tenants, but there are none without --auth-config`);
    if (!known.includes(tenant))
      throw new UsageError(`${FLAG} ${entry}: "${tenant}" is not a tenant of --auth-config (${known.join(', ')})`);
  }
  if (file === undefined) return { address, tenants };
  if (file === '') throw new UsageError(`${FLAG} ${entry}: name the secret's file after "=", or leave "=" out`);
  const clusterSecret = readOptionFile(file, `${FLAG} ${address}=`).trim();
  checkClusterSecret(clusterSecret, `${FLAG} ${address}=${file}`);
  return { address, clusterSecret, tenants };
}
