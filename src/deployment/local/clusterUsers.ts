/**
 * Which user a local cluster's processes run as, so that a tenant's code cannot read the control
 * plane's files (its state dir, auth config, TLS key) nor another tenant's clusters. A control plane
 * running as root starts each tenant's clusters under a numeric uid and gid of that tenant's own,
 * derived stably from the tenant's name within a range no user of the machine has (`auto`, the
 * default), or under one uid for every cluster (`UID:GID`); Node's spawn switches to a numeric id
 * without an /etc/passwd entry, so the host is left as it is. A control plane that is not root
 * cannot switch users: its clusters run as itself (`same`), and with tenants configured it says at
 * start that their code can then read its files.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.js';

/** The numeric user and group a cluster's processes run as. */
export interface ClusterIdentity {
  uid: number;
  gid: number;
}

/** `--cluster-user`: a uid per tenant when root (`auto`), this process's own user (`same`), or one given identity. */
export type ClusterUserSetting = { kind: 'auto' } | { kind: 'same' } | ({ kind: 'fixed' } & ClusterIdentity);

/** The uids (and as many gids, the same numbers) `auto` gives tenants, both ends included. */
export interface ClusterUidRange {
  start: number;
  end: number;
}

/** A range far above the uids of people, system services and the usual subordinate-id ranges of containers. */
export const DEFAULT_CLUSTER_UID_RANGE: ClusterUidRange = { start: 100_000_000, end: 199_999_999 };

/** The largest id accepted (uid_t is 32 bits; 2^32 - 1 means "no change" to the kernel, and past 2^31 some tools stumble). */
const MAX_ID = 2 ** 31 - 1;

/** What the clusters of each tenant run as. */
export interface ClusterUsers {
  /** The identity of `tenant`'s clusters; undefined: this process's own user. */
  identityOf(tenant: string): ClusterIdentity | undefined;
  /** Whether any cluster runs as a user other than the control plane's. */
  readonly switchesUser: boolean;
  /** One line for the start-up log, such as "a uid per tenant in 100000000-199999999". */
  readonly description: string;
  /** Set when clusters run as the control plane's own user although tenants are configured. */
  readonly warning?: string;
}

/** Parses `auto`, `same` or `UID:GID`. */
export function parseClusterUser(text: string): ClusterUserSetting {
  if (text === 'auto' || text === 'same') return { kind: text };
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match)
    throw new InvalidArgumentError(`--cluster-user must be "auto", "same" or UID:GID (numbers), got "${text}"`);
  return { kind: 'fixed', uid: checkedId(match[1], '--cluster-user'), gid: checkedId(match[2], '--cluster-user') };
}

/** Parses `START-END`. */
export function parseClusterUidRange(text: string): ClusterUidRange {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`--cluster-uid-range must be START-END (numbers), got "${text}"`);
  const start = checkedId(match[1], '--cluster-uid-range');
  const end = checkedId(match[2], '--cluster-uid-range');
  if (start < 1000 || end - start < 1000)
    throw new InvalidArgumentError(
      `--cluster-uid-range ${text} must start at 1000 or above (system users live below) and hold at least 1001 ids, so that tenants rarely share a uid`,
    );
  return { start, end };
}

/**
 * The uid (and gid) of `tenant`'s clusters in `range`: the range's first id for the single tenant
 * of a control plane without tokens (''), otherwise one of the others picked by the sha256 of the
 * tenant's name, so it stays the same across restarts and machines.
 */
export function tenantClusterUid(tenant: string, range: ClusterUidRange): number {
  if (tenant === '') return range.start;
  const hash = createHash('sha256').update(tenant).digest().readUIntBE(0, 6);
  return range.start + 1 + (hash % (range.end - range.start));
}

/** What {@link compileClusterUsers} decides from. */
export interface ClusterUsersInput {
  setting: ClusterUserSetting;
  range: ClusterUidRange;
  /** The tenants of the auth config; empty without one (the single tenant ''). */
  tenants: readonly string[];
  /** This process's uid (process.getuid()). */
  processUid: number;
  /** The ids the machine's users and groups already have (those of /etc/passwd and /etc/group unless given). */
  takenIds?: ReadonlyMap<number, string>;
}

/**
 * The users clusters run as. INVALID_ARGUMENT, saying what to change, when an explicit identity
 * cannot be applied (not root), when two tenants would share a uid, or when a tenant's uid is
 * already a user or group of the machine.
 */
export function compileClusterUsers(input: ClusterUsersInput): ClusterUsers {
  const { setting, range, tenants, processUid } = input;
  const root = processUid === 0;
  if (setting.kind === 'same' || (setting.kind === 'auto' && !root)) {
    const reason = setting.kind === 'same' ? '--cluster-user same' : 'the control plane does not run as root';
    return {
      identityOf: () => undefined,
      switchesUser: false,
      description: `as the control plane's own user (uid ${processUid})`,
      warning:
        tenants.length > 0
          ? `clusters run as the control plane's own user (uid ${processUid}, ${reason}): a tenant's code can read the control plane's files (state dir, auth config, TLS key) and other tenants' clusters; run the control plane as root with --cluster-user auto to give each tenant a user of its own`
          : undefined,
    };
  }
  if (setting.kind === 'fixed') {
    if (!root)
      throw new InvalidArgumentError(
        `--cluster-user ${setting.uid}:${setting.gid} needs a control plane running as root to switch users (it runs as uid ${processUid}); start it as root, or use --cluster-user same`,
      );
    const identity = { uid: setting.uid, gid: setting.gid };
    return { identityOf: () => identity, switchesUser: true, description: `as uid ${setting.uid}, gid ${setting.gid}` };
  }
  const taken = input.takenIds ?? machineIds();
  const owners = new Map<number, string>();
  for (const tenant of tenants.length > 0 ? tenants : ['']) {
    const uid = tenantClusterUid(tenant, range);
    const other = owners.get(uid);
    if (other !== undefined)
      throw new InvalidArgumentError(
        `tenants ${JSON.stringify(other)} and ${JSON.stringify(tenant)} would run their clusters as the same uid ${uid}; choose another --cluster-uid-range (now ${range.start}-${range.end})`,
      );
    owners.set(uid, tenant);
    const user = taken.get(uid);
    if (user !== undefined)
      throw new InvalidArgumentError(
        `the clusters of tenant ${JSON.stringify(tenant)} would run as uid ${uid}, which is ${user} on this machine; choose a --cluster-uid-range (now ${range.start}-${range.end}) that no user or group has`,
      );
  }
  return {
    identityOf: (tenant) => {
      const uid = tenantClusterUid(tenant, range);
      return { uid, gid: uid };
    },
    switchesUser: true,
    description: `a uid and gid per tenant in ${range.start}-${range.end}`,
  };
}

/** The ids of the users and groups in /etc/passwd and /etc/group, each with what it is. */
function machineIds(): Map<number, string> {
  const ids = new Map<number, string>();
  for (const [file, kind] of [
    ['/etc/passwd', 'user'],
    ['/etc/group', 'group'],
  ] as const) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id && /^\d+$/.test(id)) ids.set(Number(id), `the id of ${kind} ${name} (${file})`);
    }
  }
  return ids;
}

function checkedId(text: string, flag: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > MAX_ID)
    throw new InvalidArgumentError(`${flag}: ${text} is not a usable id (at most ${MAX_ID})`);
  return id;
}
