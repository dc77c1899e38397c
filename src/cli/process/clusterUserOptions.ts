/**
 * The control plane's options about where and as whom local clusters run: `--cluster-dir`,
 * `--cluster-user` and `--cluster-uid-range`, and what they become (see
 * deployment/local/clusterUsers.ts for the design).
 */
import { relative, resolve, isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import type { TenantDirectory } from '../../controlplane/tenants/TenantDirectory.js';
import {
  compileClusterUsers,
  DEFAULT_CLUSTER_UID_RANGE,
  parseClusterUidRange,
  parseClusterUser,
  type ClusterUsers,
} from '../../deployment/local/clusterUsers.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';

/** --cluster-dir, --cluster-user, --cluster-uid-range. */
export const CLUSTER_USER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'cluster-dir',
    type: 'string',
    valueName: 'DIR',
    description:
      "Where local clusters get their folders (record, logs, and a folder of the cluster's own for its processes' state and TLS key); never inside --state-dir, which cluster processes cannot enter. Default: beside the state dir, <state-dir>-clusters; when clusters run as users of their own and a folder above that is closed to others (root's home), $TMPDIR/flotilla-clusters-<hash of the state dir>. Others must be able to pass through every folder above it.",
  },
  {
    name: 'cluster-user',
    type: 'string',
    valueName: 'USER',
    description:
      "The user local clusters run as: auto, same or UID:GID. auto: when the control plane runs as root, each tenant's clusters run as a uid and gid of the tenant's own from --cluster-uid-range (one fixed uid without --auth-config), so a tenant's code cannot read the state dir, the auth config, the TLS key or other tenants' clusters; otherwise as the control plane's user, with a warning at start when --auth-config is set. same: as the control plane's user. UID:GID: every cluster as this numeric user and group (needs root). No user needs to exist in /etc/passwd.",
    default: 'auto',
  },
  {
    name: 'cluster-uid-range',
    type: 'string',
    valueName: 'START-END',
    description:
      "The uids (and gids) --cluster-user auto gives tenants: START for the single tenant without --auth-config, one picked from the tenant's name for each tenant of the auth config. Start fails when two tenants would share one, or one is a user or group of this machine.",
    default: `${DEFAULT_CLUSTER_UID_RANGE.start}-${DEFAULT_CLUSTER_UID_RANGE.end}`,
  },
];

/** The clusters' folder and users from the command line. */
export function clusterUserSettingsOf(
  args: ParsedCommandLine,
  tenants: TenantDirectory,
): { clusterDir: string | undefined; clusterUsers: ClusterUsers } {
  const given = args.options['cluster-dir'] as string | undefined;
  const clusterDir = given === undefined ? undefined : resolve(given);
  if (clusterDir !== undefined) {
    const inside = relative(resolve(args.options['state-dir'] as string), clusterDir);
    if (!inside.startsWith('..') && !isAbsolute(inside))
      throw new UsageError(
        `--cluster-dir ${given} is inside --state-dir, which cluster processes must not be able to enter; choose a folder outside it`,
      );
  }
  try {
    return {
      clusterDir,
      clusterUsers: compileClusterUsers({
        setting: parseClusterUser(args.options['cluster-user'] as string),
        range: parseClusterUidRange(args.options['cluster-uid-range'] as string),
        tenants: tenants.names,
        processUid: process.getuid?.() ?? -1,
      }),
    };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}
