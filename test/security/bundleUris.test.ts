/**
 * Issue 18, part 2: a bundle named by uri (an unpacked folder on the machine) runs only from where
 * the operator allowed it. A job manager and task executor started with `--bundle-uri-root ROOT`
 * run a job and an application's main() whose bundles are folders under ROOT, and refuse folders
 * elsewhere (a folder of another local user, a link inside ROOT that leads out) with
 * FAILED_PRECONDITION naming the option, before anything of them runs; a job manager without the
 * option refuses every uri, and a task executor without it fails the tasks of a job its job manager
 * let through. A mini cluster runs uri bundles from anywhere (its code is its own
 * process's).
 */
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DispatcherServiceClient } from '../../generated/flotilla/v1/dispatcher_service.js';
import { JobStatus } from '../../generated/flotilla/v1/status.js';
import { MiniCluster } from '../../src/minicluster/MiniCluster.js';
import {
  dispatcherClient,
  importPipelines,
  PIPELINES_BUNDLE,
  startTestCluster,
  type TestCluster,
} from '../support/cluster.js';
import { startServer } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

const { squares } = await importPipelines();

/** A bundle whose main(env, args) writes "ran" to the file args[0]. */
function writeMainBundle(folder: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'uri-app', type: 'module', main: 'main.mjs' }));
  writeFileSync(
    join(folder, 'main.mjs'),
    "import { writeFileSync } from 'node:fs';\nexport async function main(env, args) { writeFileSync(args[0], 'ran'); }\n",
  );
  return folder;
}

/** Bundles under the allowed root, and the same bundles in a folder outside it (as another local user's would be). */
const root = realpathSync(tempDir('flotilla-uri-root-'));
const outside = realpathSync(tempDir('flotilla-uri-outside-'));
for (const base of [root, outside]) {
  cpSync(PIPELINES_BUNDLE, join(base, 'pipelines'), { recursive: true });
  writeMainBundle(join(base, 'app'));
}
symlinkSync(join(outside, 'app'), join(root, 'link-out'));
const work = tempDir();

let cluster: TestCluster;
let dispatcher: DispatcherServiceClient;

beforeAll(async () => {
  cluster = await startTestCluster({
    taskExecutors: 1,
    slots: 2,
    jobManagerArgs: ['--bundle-uri-root', root],
    taskExecutorArgs: ['--bundle-uri-root', root],
  });
  dispatcher = dispatcherClient(cluster.jobManager.address);
});

afterAll(async () => {
  await cluster?.stop();
});

/** Runs main() of the bundle at `uri` in the job manager; resolves with its main job's id. */
async function runMain(client: DispatcherServiceClient, uri: string, marker: string): Promise<string> {
  const { jobId } = await client.runApplicationMain({
    applicationId: `app-${Math.random().toString(36).slice(2)}`,
    applicationName: 'uri app',
    bundle: { source: { $case: 'uri', uri } },
    entry: '',
    args: [marker],
    defaultParallelism: 1,
    properties: {},
    resources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
    requestId: '',
  });
  return jobId;
}

const refusal = (holder: string, allowed: string) =>
  `which is not under a --bundle-uri-root of this ${holder} (${allowed}); start the ${holder} with --bundle-uri-root DIR to allow bundle folders under DIR`;

describe('bundle.uri with --bundle-uri-root', () => {
  it('runs a job whose bundle is a folder under the root, on the task executor', async () => {
    const env = cluster.environment({ bundle: { uri: join(root, 'pipelines') } }).setParallelism(2);
    const records = (await squares(env, 100)) as number[];
    expect(records.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => (i + 1) ** 2));
  });

  it('runs main() from a folder under the root (file:// or a path) in the job manager', async () => {
    for (const uri of [join(root, 'app'), `file://${join(root, 'app')}`]) {
      const marker = join(work, `ran-${Math.random().toString(36).slice(2)}`);
      const jobId = await runMain(dispatcher, uri, marker);
      await expect
        .poll(async () => JobStatus[(await dispatcher.getJob({ jobId })).job!.status], { timeout: 30_000 })
        .toBe('FINISHED');
      expect(existsSync(marker)).toBe(true);
    }
  });

  it('refuses a job and a main() whose bundle is outside the root, or reached through a link that leads out, before anything runs', async () => {
    const allowed = `it allows ${root}`;
    for (const folder of [join(outside, 'pipelines'), join(root, '..', 'elsewhere'), join(root, 'link-out')]) {
      const env = cluster.environment({ bundle: { uri: folder } });
      await expect(squares(env, 10)).rejects.toThrow(refusal('job manager', allowed));
    }
    for (const folder of [join(outside, 'app'), join(root, 'link-out')]) {
      const marker = join(work, `refused-${Math.random().toString(36).slice(2)}`);
      await expect(runMain(dispatcher, folder, marker)).rejects.toMatchObject({
        code: Status.FAILED_PRECONDITION,
        details: expect.stringContaining(refusal('job manager', allowed)),
      });
      expect(existsSync(marker)).toBe(false);
    }
    // Nothing of the refused submissions ran: the cluster holds only the jobs of the tests above.
    const { jobs } = await dispatcher.listJobs({ pageSize: 100, pageToken: '' });
    expect(jobs.every((job) => job.status === JobStatus.FINISHED)).toBe(true);
  });

  it('is refused again by a task executor without the root, where the folder would be used', async () => {
    const lenient = await startTestCluster({ taskExecutors: 1, slots: 2, jobManagerArgs: ['--bundle-uri-root', root] });
    try {
      const env = lenient.environment({ bundle: { uri: join(root, 'pipelines') }, restartStrategy: { kind: 'none' } });
      await expect(squares(env, 10)).rejects.toThrow(refusal('task executor', 'it has none'));
    } finally {
      await lenient.stop();
    }
  });

  it('is refused by a job manager started without the option, naming it', async () => {
    const jobManager = await startServer('jobmanager');
    const marker = join(work, 'no-roots');
    await expect(runMain(dispatcherClient(jobManager.address), join(root, 'app'), marker)).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining(refusal('job manager', 'it has none')),
    });
    expect(existsSync(marker)).toBe(false);
    await jobManager.stop();
  });

  it('takes only existing folders as roots', async () => {
    await expect(startServer('jobmanager', ['--bundle-uri-root', join(work, 'missing')])).rejects.toThrow(
      `--bundle-uri-root ${join(work, 'missing')} is not a folder on this machine`,
    );
  });
});

describe('bundle.uri in a mini cluster', () => {
  it('runs a job whose bundle is any folder: the mini cluster runs its own process code', async () => {
    const mini = await MiniCluster.start();
    try {
      const env = mini.createEnvironment({ bundle: { uri: join(outside, 'pipelines') } });
      expect(((await squares(env, 5)) as number[]).sort((a, b) => a - b)).toEqual([1, 4, 9, 16, 25]);
    } finally {
      await mini.close();
    }
  });
});
