/**
 * The environment of a local cluster's processes: built from nothing rather than from the control
 * plane's, so that no credential the control plane or its operator has in its environment (a CLI
 * user's token, cloud keys, anything an init system hands it) reaches the code of an application.
 * What passes is what running Node needs (PATH, locale, time zone), the log settings, the cluster's
 * own secret, and HOME and TMPDIR pointing into the cluster's own folder.
 */
import { CLUSTER_SECRET_ENV } from '../../rpc/security/ClientSecurity.js';

/** The variables taken over from the control plane's environment when set there. */
export const PASSED_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'FLOTILLA_LOG_LEVEL'] as const;

/** What a cluster process's environment is made of. */
export interface ClusterProcessEnvInput {
  /** The cluster's own folder (its processes' working directory). */
  work: string;
  clusterSecret?: string;
  /** Variables the deployment target was configured to add. */
  extra?: NodeJS.ProcessEnv;
  /** The control plane's environment (process.env unless given). */
  from?: NodeJS.ProcessEnv;
}

/** The environment of a cluster process. */
export function clusterProcessEnv(input: ClusterProcessEnvInput): NodeJS.ProcessEnv {
  const from = input.from ?? process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_ENV) if (from[name] !== undefined) env[name] = from[name];
  return {
    ...env,
    HOME: input.work,
    TMPDIR: input.work,
    FLOTILLA_LOG_FORMAT: 'json',
    ...input.extra,
    [CLUSTER_SECRET_ENV]: input.clusterSecret ?? '',
  };
}
