/**
 * Issue 18, part 3, as the attacks of the issue: a local unprivileged user (nobody, uid 65534; the
 * tests run as root, as on this machine and in CI) cannot list or read a control plane's state
 * dir, its database and WAL, or the logs and driver output of the clusters it deployed; everything
 * there is 0700 folders and 0600 files. A state dir others can enter, or that another user owns,
 * is refused at start with the command that fixes it. A job manager or task executor without
 * --state-dir does not use the folder the old code would have used (`$TMPDIR/flotilla-<role>-<pid>`,
 * planted with a bundle before the process starts): the real bundle runs, the planted one never.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DispatcherServiceClient } from '../../generated/flotilla/v1/dispatcher_service.js';
import { JobStatus } from '../../generated/flotilla/v1/status.js';
import { ExecutionEnvironment } from '../../src/api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../../src/api/functions/bundleFunctionCapturer.js';
import { grpcBlobGateway } from '../../src/blob/service/grpcBlobGateway.js';
import { sha256OfFile } from '../../src/blob/sha256.js';
import { packBundle } from '../../src/client/bundlePacker.js';
import { DispatcherJobSubmitter } from '../../src/driver/service/DispatcherJobSubmitter.js';
import { dispatcherClient, importPipelines, PIPELINES_BUNDLE } from '../support/cluster.js';
import { startControlPlane } from '../support/controlPlane.js';
import { FLOTILLA_BIN, ROOT, runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

const NOBODY = { uid: 65534, gid: 65534 };
const DRIVER_APP = join(ROOT, 'test/controlplane/fixtures/driver-app');

/** A folder anyone may pass through, as a home directory or /var/lib would be: only the modes Flotilla sets keep nobody out. */
function openParent(): string {
  const parent = tempDir('flotilla-modes-');
  chmodSync(parent, 0o755);
  return parent;
}

/**
 * What nobody gets trying to list each folder (`ls`) and read each file (`cat`): 'EACCES' when
 * refused with "Permission denied", else what the command said. Coreutils, not node: any user can
 * run them wherever node is installed.
 */
function asNobody(paths: { list?: string[]; read?: string[] }): Record<string, string> {
  const outcome: Record<string, string> = {};
  const attempt = (command: string, path: string) => {
    const result = spawnSync(command, [path], { ...NOBODY, cwd: '/', encoding: 'utf8' });
    outcome[path] =
      result.status !== 0 && result.stderr.includes('Permission denied')
        ? 'EACCES'
        : `exit ${result.status}: ${result.stderr}${result.stdout.slice(0, 100)}`;
  };
  for (const path of paths.list ?? []) attempt('ls', path);
  for (const path of paths.read ?? []) attempt('cat', path);
  return outcome;
}

/** Every folder and file under `dir` (links not followed), with its mode bits. */
function modesUnder(dir: string): { path: string; folder: boolean; mode: number }[] {
  const entries = [{ path: dir, folder: true, mode: lstatSync(dir).mode & 0o777 }];
  for (const name of readdirSync(dir, { recursive: true }).map(String)) {
    const path = join(dir, name);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) continue;
    entries.push({ path, folder: stats.isDirectory(), mode: stats.mode & 0o777 });
  }
  return entries;
}

describe("a control plane's files, as another local user", () => {
  it('cannot be listed or read: state dir, database, WAL, cluster folders, logs and driver output; all 0700 and 0600', async () => {
    const parent = openParent();
    const stateDir = join(parent, 'state');
    // The control: what the modes Flotilla sets do not close, nobody reads.
    writeFileSync(join(parent, 'readable'), 'open');
    chmodSync(join(parent, 'readable'), 0o644);
    expect(asNobody({ read: [join(parent, 'readable')] })).toEqual({ [join(parent, 'readable')]: 'exit 0: open' });
    const controlPlane = await startControlPlane([], stateDir);
    const started = await runCli(['cluster', 'start', '--task-executors', '1', '--slots', '4'], controlPlane.env);
    expect(started.code, started.stderr).toBe(0);
    const clusterId = started.stdout.trim();
    const run = await runCli(['run', '-D', '--follow', '--cluster', clusterId, DRIVER_APP, 'squares', '4'], {
      ...controlPlane.env,
    });
    expect(run.stderr).toContain('application FINISHED');

    // Clusters live beside the state dir (--cluster-dir's default), their processes' state in work/.
    const clustersRoot = `${stateDir}-clusters`;
    const clusterFolder = join(clustersRoot, clusterId);
    const wal = join(stateDir, 'state.db-wal');
    const logs = ['jobmanager.log', 'jobmanager.out', 'taskexecutor-0.log', 'taskexecutor-0.out'].map((name) =>
      join(clusterFolder, name),
    );
    // The premise: the files are there, with what an attacker wants (the WAL while the control plane runs).
    for (const file of [join(stateDir, 'state.db'), wal, ...logs]) expect(existsSync(file), file).toBe(true);
    const unpacked = join(clusterFolder, 'work', 'taskexecutor-0', 'bundles');
    expect(readdirSync(unpacked).length).toBeGreaterThan(1);

    const outcome = asNobody({
      list: [stateDir, clustersRoot, clusterFolder, unpacked],
      read: [join(stateDir, 'state.db'), wal, join(stateDir, 'state.db-shm'), ...logs],
    });
    expect(Object.keys(outcome)).toHaveLength(11);
    for (const [path, code] of Object.entries(outcome)) expect({ path, code }).toEqual({ path, code: 'EACCES' });

    // And each one is closed on its own, not only by the folder above it.
    const loose = modesUnder(stateDir).filter(({ folder, mode }) => (folder ? mode !== 0o700 : (mode & 0o077) !== 0));
    expect(loose).toEqual([]);
    // Cluster folders: the control plane's may be passed through (0711) to reach work/, the rest is 0700 and 0600.
    const looseClusters = modesUnder(clustersRoot).filter(({ path, folder, mode }) =>
      folder ? mode !== 0o700 && !(mode === 0o711 && !path.includes('/work')) : (mode & 0o077) !== 0,
    );
    expect(looseClusters).toEqual([]);
    await runCli(['cluster', 'stop', clusterId], controlPlane.env);
  }, 120_000);
});

describe('a state dir another user can enter or owns', () => {
  it.each(['controlplane', 'jobmanager', 'taskexecutor'])(
    'is refused by %s at start, saying how to fix it',
    async (verb) => {
      const extra = verb === 'taskexecutor' ? ['--jobmanager', '127.0.0.1:1'] : [];
      const shared = join(openParent(), 'state');
      mkdirSync(shared, { mode: 0o755 });
      chmodSync(shared, 0o755);
      const refused = await runCli([verb, '--listen', '127.0.0.1:0', '--state-dir', shared, ...extra]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `flotilla ${verb}: the state dir ${shared} has mode 0755: other users can read or change it (secrets, bundles); run chmod 700 ${shared} and start again`,
      );
      expect(readdirSync(shared)).toEqual([]);

      const foreign = join(openParent(), 'state');
      mkdirSync(foreign, { mode: 0o700 });
      chownSync(foreign, NOBODY.uid, NOBODY.gid);
      const owned = await runCli([verb, '--listen', '127.0.0.1:0', '--state-dir', foreign, ...extra]);
      expect(owned.code).toBe(1);
      expect(owned.stderr).toContain(`the state dir ${foreign} belongs to uid 65534, not to this process's uid 0`);
      expect(owned.stderr).toContain(`chown -R 0 ${foreign}`);
      expect(readdirSync(foreign)).toEqual([]);
    },
  );
});

describe('a job manager and a task executor without --state-dir', () => {
  // Their temp dir, so that what is planted there and what they make is this test's alone.
  const temp = tempDir('flotilla-planted-');
  const running: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /**
   * Starts `flotilla <verb>` with TMPDIR=temp whose pid is known before it runs: a shell that waits
   * for a line, then execs node (same pid). `plant(pid)` runs in between, as an attacker who
   * guessed the pid would have prepared the folder. Resolves with its address.
   */
  async function startAfterPlanting(verb: string, args: string[], plant: (pid: number) => void): Promise<string> {
    const command = `read go; exec "$0" "$@"`;
    const child = spawn(
      '/bin/sh',
      ['-c', command, process.execPath, FLOTILLA_BIN, verb, '--listen', '127.0.0.1:0', ...args],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: temp, FLOTILLA_LOG_FORMAT: 'json' },
      },
    );
    running.push(child);
    plant(child.pid!);
    child.stdin!.end('go\n');
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    let stdout = '';
    return new Promise((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        const match = /^listening on (\S+)\n/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`flotilla ${verb} exited with ${code}:\n${stderr}`)));
    });
  }

  const plantedFolders = new Set<string>();

  /** What the old code would have found: `<temp>/flotilla-<role>-<pid>/bundles/<id>/` holding `files`. */
  function plantBundle(role: string, pid: number, id: string, files: Record<string, string>): void {
    plantedFolders.add(`flotilla-${role}-${pid}`);
    const folder = join(temp, `flotilla-${role}-${pid}`, 'bundles', id);
    mkdirSync(folder, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  }

  const plantedMarker = (role: string) => join(temp, `PLANTED-${role}-RAN`);
  const planted = (role: string) =>
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(plantedMarker(role))}, 'planted');\nexport async function main() {}\nexport function squares() {}\n`;

  it('do not use a pre-planted flotilla-<role>-<pid> folder: the real bundle runs, the planted one never', async () => {
    const app = join(tempDir(), 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'real-app', type: 'module', main: 'main.mjs' }));
    writeFileSync(
      join(app, 'main.mjs'),
      "import { writeFileSync } from 'node:fs';\nexport async function main(env, args) { writeFileSync(args[0], 'real'); }\n",
    );
    const [appBundle, pipelinesBundle] = await Promise.all([packBundle(app), packBundle(PIPELINES_BUNDLE)]);
    const [appId, pipelinesId] = await Promise.all([sha256OfFile(appBundle.file), sha256OfFile(pipelinesBundle.file)]);

    const jobManager = await startAfterPlanting('jobmanager', [], (pid) =>
      plantBundle('jobmanager', pid, appId, {
        'package.json': JSON.stringify({ name: 'planted', type: 'module', main: 'main.mjs' }),
        'main.mjs': planted('jobmanager'),
      }),
    );
    await startAfterPlanting('taskexecutor', ['--jobmanager', jobManager, '--slots', '2'], (pid) =>
      plantBundle('taskexecutor', pid, pipelinesId, {
        'package.json': JSON.stringify({ name: 'planted', type: 'module', main: 'pipelines.mjs' }),
        'pipelines.mjs': planted('taskexecutor'),
      }),
    );
    const blobs = grpcBlobGateway(jobManager);
    for (const bundle of [appBundle, pipelinesBundle])
      await blobs.upload({ file: bundle.file, fileName: bundle.fileName });
    blobs.close();
    appBundle.cleanup();
    pipelinesBundle.cleanup();
    const dispatcher: DispatcherServiceClient = dispatcherClient(jobManager);
    await expect
      .poll(async () => (await dispatcher.requestClusterOverview({})).taskExecutors, { timeout: 15_000 })
      .toBe(1);

    // main() in the job manager, from the bundle the planted folder is named after.
    const marker = join(temp, 'real-main-ran');
    const { jobId } = await dispatcher.runApplicationMain({
      applicationId: 'app-planted',
      applicationName: 'planted',
      bundle: { source: { $case: 'artifactId', artifactId: appId } },
      entry: '',
      args: [marker],
      defaultParallelism: 1,
      properties: {},
      resources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
      requestId: '',
    });
    await expect
      .poll(async () => JobStatus[(await dispatcher.getJob({ jobId })).job!.status], { timeout: 30_000 })
      .toBe('FINISHED');
    expect(existsSync(marker)).toBe(true);

    // A job on the task executor, from the pipelines bundle the planted folder is named after.
    const { squares } = await importPipelines();
    const submitter = new DispatcherJobSubmitter({ address: jobManager });
    try {
      const env = new ExecutionEnvironment({
        submitter,
        captureFunction: bundleFunctionCapturer(PIPELINES_BUNDLE),
        bundle: { artifactId: pipelinesId },
      });
      expect(((await squares(env.setParallelism(2), 5)) as number[]).sort((a, b) => a - b)).toEqual([1, 4, 9, 16, 25]);
    } finally {
      submitter.close();
    }

    for (const role of ['jobmanager', 'taskexecutor']) expect(existsSync(plantedMarker(role)), role).toBe(false);
    // The processes work in folders of their own (mkdtemp), never the planted ones, which stay as planted.
    const own = readdirSync(temp).filter((name) => name.startsWith('flotilla-') && !plantedFolders.has(name));
    expect(own.map((name) => name.split('-')[1]).sort()).toEqual(['jobmanager', 'taskexecutor']);
    for (const name of plantedFolders) expect(readdirSync(join(temp, name))).toEqual(['bundles']);
  }, 120_000);
});
