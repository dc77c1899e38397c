import { describe, expect, it } from 'vitest';
import {
  compileClusterUsers,
  DEFAULT_CLUSTER_UID_RANGE,
  parseClusterUidRange,
  parseClusterUser,
  tenantClusterUid,
  type ClusterUsersInput,
} from './clusterUsers.js';

const range = DEFAULT_CLUSTER_UID_RANGE;
const asRoot = (changes: Partial<ClusterUsersInput> = {}): ClusterUsersInput => ({
  setting: { kind: 'auto' },
  range,
  tenants: ['team-a', 'team-b'],
  processUid: 0,
  takenIds: new Map(),
  ...changes,
});

describe('parseClusterUser and parseClusterUidRange', () => {
  it('read auto, same, UID:GID and START-END', () => {
    expect(parseClusterUser('auto')).toEqual({ kind: 'auto' });
    expect(parseClusterUser('same')).toEqual({ kind: 'same' });
    expect(parseClusterUser('2000:3000')).toEqual({ kind: 'fixed', uid: 2000, gid: 3000 });
    expect(parseClusterUidRange('5000-9000')).toEqual({ start: 5000, end: 9000 });
  });

  it('refuse anything else, saying what is expected', () => {
    expect(() => parseClusterUser('nobody')).toThrow(
      '--cluster-user must be "auto", "same" or UID:GID (numbers), got "nobody"',
    );
    expect(() => parseClusterUser('1:99999999999')).toThrow('is not a usable id');
    expect(() => parseClusterUidRange('9000')).toThrow('--cluster-uid-range must be START-END');
    expect(() => parseClusterUidRange('100-5000')).toThrow('must start at 1000 or above');
    expect(() => parseClusterUidRange('5000-5010')).toThrow('hold at least 1001 ids');
  });
});

describe('tenantClusterUid', () => {
  it("gives the single tenant the range's first id, and each named tenant one of the others, the same every time", () => {
    expect(tenantClusterUid('', range)).toBe(range.start);
    const a = tenantClusterUid('team-a', range);
    // Pinned: a tenant's uid must not change between versions, or its running clusters' files would not be its own.
    expect(a).toBe(158279656);
    expect(tenantClusterUid('team-a', range)).toBe(a);
    expect(tenantClusterUid('team-b', range)).not.toBe(a);
    for (const tenant of ['x', 'team-a', 'a much longer tenant name with spaces', '名前']) {
      const uid = tenantClusterUid(tenant, { start: 1000, end: 2000 });
      expect(uid).toBeGreaterThan(1000);
      expect(uid).toBeLessThanOrEqual(2000);
    }
  });
});

describe('compileClusterUsers', () => {
  it('as root with auto: a uid and gid of its own for each tenant', () => {
    const users = compileClusterUsers(asRoot());
    expect(users.switchesUser).toBe(true);
    const a = tenantClusterUid('team-a', range);
    expect(users.identityOf('team-a')).toEqual({ uid: a, gid: a });
    expect(users.identityOf('team-b')).not.toEqual(users.identityOf('team-a'));
    expect(users.warning).toBeUndefined();
    expect(compileClusterUsers(asRoot({ tenants: [] })).identityOf('')).toEqual({ uid: range.start, gid: range.start });
  });

  it('refuses tenants that would share a uid, and a uid a user or group of the machine has', () => {
    const small = { start: 1000, end: 2000 };
    const owner = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let index = 0; !pair; index++) {
      const name = `tenant-${index}`;
      const uid = tenantClusterUid(name, small);
      const other = owner.get(uid);
      if (other) pair = [other, name];
      owner.set(uid, name);
    }
    expect(() => compileClusterUsers(asRoot({ range: small, tenants: pair }))).toThrow(
      `would run their clusters as the same uid ${tenantClusterUid(pair[0], small)}; choose another --cluster-uid-range (now 1000-2000)`,
    );
    const a = tenantClusterUid('team-a', range);
    expect(() =>
      compileClusterUsers(asRoot({ takenIds: new Map([[a, 'the id of user alice (/etc/passwd)']]) })),
    ).toThrow(
      `the clusters of tenant "team-a" would run as uid ${a}, which is the id of user alice (/etc/passwd) on this machine`,
    );
  });

  it('as root with UID:GID: every cluster as that user; with same: as the control plane', () => {
    const fixed = compileClusterUsers(asRoot({ setting: { kind: 'fixed', uid: 4000, gid: 4001 } }));
    expect(fixed.identityOf('team-a')).toEqual({ uid: 4000, gid: 4001 });
    const same = compileClusterUsers(asRoot({ setting: { kind: 'same' } }));
    expect(same.switchesUser).toBe(false);
    expect(same.identityOf('team-a')).toBeUndefined();
    expect(same.warning).toContain("clusters run as the control plane's own user (uid 0, --cluster-user same)");
  });

  it('not as root: auto runs clusters as the control plane, warning when there are tenants; UID:GID cannot be applied', () => {
    const users = compileClusterUsers(asRoot({ processUid: 1000 }));
    expect(users.identityOf('team-a')).toBeUndefined();
    expect(users.warning).toContain('the control plane does not run as root');
    expect(compileClusterUsers(asRoot({ processUid: 1000, tenants: [] })).warning).toBeUndefined();
    expect(() =>
      compileClusterUsers(asRoot({ processUid: 1000, setting: { kind: 'fixed', uid: 4000, gid: 4000 } })),
    ).toThrow('--cluster-user 4000:4000 needs a control plane running as root to switch users (it runs as uid 1000)');
  });
});
