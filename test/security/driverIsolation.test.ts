/**
 * Issue 18's first attack, on real processes: a control plane running as root with two tenants
 * (--auth-config), TLS and a listed job manager's secret for -m (--external-jobmanager); tenant B has a shared cluster running; tenant A
 * runs a driver (`flotilla run -D`) whose main() tries to read what it must not: the control plane's
 * command line and environment and those of every process above it, the auth config, the control
 * plane's TLS key, the state database (as files, and opened with better-sqlite3 through the CLI's
 * own modules), the clusters' CA key, and tenant B's cluster's TLS key. Every read fails (or, for a
 * command line, holds nothing secret), the driver runs as a user of tenant A's own that is neither
 * root nor tenant B's, with an environment of its own, and its log holds no token, secret or key.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClientServiceClient } from '../../generated/flotilla/v1/cluster_client_service.js';
import { ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { DEFAULT_CLUSTER_UID_RANGE, tenantClusterUid } from '../../src/deployment/local/clusterUsers.js';
import { readLocalClusterRecord } from '../../src/deployment/local/LocalClusterRecord.js';
import { clusterInStatus } from '../controlplane/controlPlaneTesting.js';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { FLOTILLA_BIN, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import { securedClient, TOKEN_A, TOKEN_B, writeAuthConfig } from './securityTesting.js';

/** The attacker's bundle: main() prints one line per attempt, `<what>: READ <text>` or `<what>: <error code>`. */
const ATTACKER = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

function attempt(what, read) {
  try {
    console.log(what + ': READ ' + JSON.stringify(read()));
  } catch (error) {
    console.log(what + ': ' + (error.code ?? error.name) + ' ' + error.message);
  }
}

export async function main(env, args) {
  const [authConfig, tlsKey, stateDir, cli, caKey, otherClusterKey, testPid] = args;
  console.log('uid: ' + process.getuid() + ' gid: ' + process.getgid());
  console.log('env: ' + Object.keys(process.env).sort().join(','));
  // Up from the control plane to the test that started it.
  let pid = process.ppid;
  for (let depth = 0; pid > 1 && depth < 10; depth++) {
    attempt('cmdline of ' + pid, () => readFileSync('/proc/' + pid + '/cmdline', 'utf8'));
    attempt('environ of ' + pid, () => readFileSync('/proc/' + pid + '/environ', 'utf8'));
    if (String(pid) === testPid) break;
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  attempt('auth config', () => readFileSync(authConfig, 'utf8'));
  attempt('tls key', () => readFileSync(tlsKey, 'utf8'));
  attempt('state db', () => readFileSync(stateDir + '/state.db', 'latin1'));
  attempt('state db wal', () => readFileSync(stateDir + '/state.db-wal', 'latin1'));
  attempt('sqlite', () => {
    const Database = createRequire(cli)('better-sqlite3');
    const db = new Database(stateDir + '/state.db', { readonly: true, fileMustExist: true });
    return db.prepare('SELECT id, cluster_secret FROM clusters').all();
  });
  attempt('cluster ca key', () => readFileSync(caKey, 'utf8'));
  attempt('other cluster key', () => readFileSync(otherClusterKey, 'utf8'));
}
`;

/** The PEM body of a key, the part that is secret. */
function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('\n');
}

/** The uid, gid and supplementary groups a process runs as, from /proc. */
function processIds(pid: number): { uid: number; gid: number; groups: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)![1].trim();
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    groups: field('Groups'),
  };
}

/** Each cluster's id, folder and secret, as the control plane recorded them. */
function recordedClusters(stateDir: string): { id: string; tenant: string; folder: string; secret: string }[] {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT id, tenant, deployment_reference AS folder, cluster_secret AS secret FROM clusters')
      .all() as { id: string; tenant: string; folder: string; secret: string }[];
  } finally {
    db.close();
  }
}

// As CI runs it: as root, so that the control plane can run clusters as users of their own.
describe("a tenant's driver on a control plane running as root", () => {
  let certificates: TestCertificates;
  let controlPlane: TestControlPlane;
  let b: ClusterClientServiceClient;
  /** Where the operator keeps the control plane's configuration: a folder others may enter, files only root may read. */
  let etc: string;
  const externalSecret = 'external-cluster-secret-0123456789abcdef';

  beforeAll(async () => {
    certificates = makeTestCertificates();
    etc = tempDir('flotilla-etc-');
    chmodSync(etc, 0o755);
    const keep = (from: string, name: string) => {
      const file = join(etc, name);
      copyFileSync(from, file);
      chmodSync(file, 0o600);
      return file;
    };
    const secretFile = join(etc, 'cluster-secret');
    writeFileSync(secretFile, externalSecret, { mode: 0o600 });
    // The control plane makes its state dir itself, in a folder others may enter, as an operator's would be.
    controlPlane = await startControlPlane(
      [
        '--tls-cert',
        keep(certificates.certFile, 'server.pem'),
        '--tls-key',
        keep(certificates.keyFile, 'server.key'),
        '--tls-ca',
        keep(certificates.caFile, 'ca.pem'),
        '--auth-config',
        keep(writeAuthConfig(), 'auth.json'),
        // A job manager tenants may name with -m, listed with its secret (nothing listens there: the
        // secret is what the driver must not find).
        '--external-jobmanager',
        `127.0.0.1:9=${secretFile}`,
      ],
      join(etc, 'state'),
    );
    b = securedClient(controlPlane.address, { bearerToken: TOKEN_B, tls: { caPem: certificates.caPem } });
  });

  it("reads no token, secret or key: not the control plane's, not the state's, not another tenant's cluster's", async () => {
    const deployed = await b.deployCluster({
      name: 'team-b shared',
      spec: { taskExecutors: 1, slotsPerTaskExecutor: 1, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    const clusterB = await clusterInStatus(b, deployed.cluster!.id, ClusterStatus.RUNNING);
    const [recordB] = recordedClusters(controlPlane.stateDir);
    expect(recordB.id).toBe(clusterB.id);
    const otherClusterKey = join(recordB.folder, 'work', 'tls', 'cluster.key');

    const bundle = tempDir('flotilla-attacker-');
    writeFileSync(join(bundle, 'package.json'), JSON.stringify({ name: 'attacker', type: 'module', main: 'main.mjs' }));
    writeFileSync(join(bundle, 'main.mjs'), ATTACKER);
    const env = { ...controlPlane.env, FLOTILLA_TOKEN: TOKEN_A, FLOTILLA_TLS_CA: certificates.caFile };
    const run = await runCli(
      [
        'run',
        '-D',
        '--follow',
        bundle,
        join(etc, 'auth.json'),
        join(etc, 'server.key'),
        controlPlane.stateDir,
        FLOTILLA_BIN,
        join(controlPlane.stateDir, 'cluster-ca', 'ca.key'),
        otherClusterKey,
        String(process.pid),
      ],
      env,
    );
    expect(run.stderr).toContain('application FINISHED');
    const applicationId = run.stdout.trim();
    const logs = await runCli(['logs', applicationId], env);
    expect(logs.code).toBe(0);
    const log = logs.stdout;

    // It ran as tenant A's own user: not root, not tenant B's.
    const uidA = tenantClusterUid('team-a', DEFAULT_CLUSTER_UID_RANGE);
    const uidB = tenantClusterUid('team-b', DEFAULT_CLUSTER_UID_RANGE);
    expect(uidA).not.toBe(uidB);
    expect(log).toContain(`uid: ${uidA} gid: ${uidA}`);
    const jobManagerB = readLocalClusterRecord(recordB.folder)!.members[0];
    // None of root's supplementary groups either.
    expect(processIds(jobManagerB.pid)).toEqual({ uid: uidB, gid: uidB, groups: '' });
    // Its folders: the control plane's (logs it reads as root) and the cluster's own, outside the state dir.
    expect(recordB.folder.startsWith(`${controlPlane.stateDir}/`)).toBe(false);
    const owner = (path: string) => {
      const stat = statSync(path);
      return { uid: stat.uid, mode: (stat.mode & 0o777).toString(8) };
    };
    expect(owner(controlPlane.stateDir)).toEqual({ uid: 0, mode: '700' });
    expect(owner(recordB.folder)).toEqual({ uid: 0, mode: '711' });
    expect(owner(join(recordB.folder, 'jobmanager.log'))).toEqual({ uid: 0, mode: '600' });
    expect(owner(join(recordB.folder, 'work'))).toEqual({ uid: uidB, mode: '700' });
    expect(owner(otherClusterKey)).toEqual({ uid: uidB, mode: '600' });

    // An environment of its own: nothing the control plane or its operator had in theirs.
    const names = /^env: (.*)$/m.exec(log)![1].split(',');
    expect(names).toContain('FLOTILLA_CLUSTER_SECRET');
    expect(names.filter((name) => name.startsWith('FLOTILLA_')).sort()).toEqual([
      'FLOTILLA_CLUSTER_SECRET',
      'FLOTILLA_LOG_FORMAT',
    ]);

    // Command lines can be read (as on any Linux), environments cannot; every file refuses.
    const attempts = log
      .split('\n')
      .filter((line) => /^(cmdline|environ|auth|tls|state|sqlite|cluster|other)/.test(line));
    expect(attempts.filter((line) => line.startsWith('environ of ')).length).toBeGreaterThan(0);
    for (const line of attempts.filter((each) => each.startsWith('environ of ')))
      expect(line).toMatch(/: (EACCES|EPERM|ENOENT) /);
    for (const what of ['auth config', 'tls key', 'state db', 'state db wal', 'cluster ca key', 'other cluster key'])
      expect(attempts.find((line) => line.startsWith(`${what}: `))).toMatch(
        new RegExp(`^${what}: (EACCES|EPERM|ENOENT) `),
      );
    expect(attempts.find((line) => line.startsWith('sqlite: '))).toMatch(/^sqlite: SQLITE_CANTOPEN /);

    // Nothing secret anywhere in its log: no token, no cluster secret, no key of anyone.
    const clusters = recordedClusters(controlPlane.stateDir);
    expect(clusters.map((cluster) => cluster.tenant).sort()).toEqual(['team-a', 'team-b']);
    const secrets = [
      TOKEN_A,
      TOKEN_B,
      externalSecret,
      ...clusters.map((cluster) => cluster.secret),
      pemBody(certificates.keyPem),
      pemBody(readFileSync(join(controlPlane.stateDir, 'cluster-ca', 'ca.key'), 'utf8')),
      pemBody(readFileSync(otherClusterKey, 'utf8')),
    ];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(16);
      expect(log).not.toContain(secret);
    }
    for (const line of pemBody(certificates.keyPem).split('\n')) expect(log).not.toContain(line);
  }, 120_000);
});

/** Runs `flotilla controlplane ...args` as the unprivileged user nobody (65534) until it listens or exits; resolves with its stderr and exit code (null while it runs). */
async function controlPlaneAsNobody(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [FLOTILLA_BIN, 'controlplane', '--listen', '127.0.0.1:0', ...args], {
    uid: 65534,
    gid: 65534,
    env: { PATH: process.env.PATH, FLOTILLA_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const listening = new Promise<void>((resolve) =>
    child.stdout.setEncoding('utf8').on('data', (text: string) => text.includes('listening on') && resolve()),
  );
  const exited = once(child, 'exit').then(([code]) => code as number);
  const code = await Promise.race([exited, listening.then(() => null)]);
  if (code === null) {
    child.kill('SIGTERM');
    await exited;
  }
  return { code, stderr };
}

describe('a control plane that is not root', () => {
  it('runs clusters as itself and says at start that tenants are then not kept from its files; refuses an explicit user it cannot switch to', async () => {
    const shared = sharedDir();
    const authConfig = join(shared, 'auth.json');
    copyFileSync(writeAuthConfig(), authConfig);
    chmodSync(authConfig, 0o644);
    const started = await controlPlaneAsNobody(['--state-dir', join(shared, 'state'), '--auth-config', authConfig]);
    expect(started.code).toBeNull();
    expect(started.stderr).toContain(
      "clusters run as the control plane's own user (uid 65534, the control plane does not run as root): a tenant's code can read the control plane's files",
    );
    const refused = await controlPlaneAsNobody(['--state-dir', join(shared, 'other'), '--cluster-user', '4000:4000']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'flotilla controlplane: --cluster-user 4000:4000 needs a control plane running as root to switch users (it runs as uid 65534); start it as root, or use --cluster-user same',
    );
  }, 60_000);
});
