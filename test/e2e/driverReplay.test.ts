/**
 * Replay, not re-run (issue 15, part 2), end to end on real processes through the CLI: a four-job
 * driver (test/e2e/fixtures/apps/replay.js: two jobs in sequence, one started with executeAsync,
 * one that reads the first's output) run with `--driver-attempts 2` and disturbed by `kill -9` of
 * its task executor, of its owned cluster's job manager, or of the control plane between two
 * attempts, ends FINISHED with the output of an undisturbed run: the jobs an earlier attempt
 * finished are answered from the control plane's record (collected records included), a job that
 * still runs is attached to, a job lost with its cluster runs again on the new one. A driver whose
 * second submission depends on Math.random() fails its second attempt with NonDeterministicDriverError.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverReplayKind, type JobStatusChanged } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, FailureCategory, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { clusterProcesses, startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { killDriverHost } from '../support/driverHost.js';
import { ROOT, runCli } from '../support/processes.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const NAME = 'e2e-replay';
/** The four jobs' names as the control plane lists them (the application's name is their prefix). */
const JOBS = ['squares', 'tens', 'slow', 'even squares'].map((job) => `${NAME}: ${job}`);
const TEST_TIMEOUT_MS = 240_000;

/** Runs the replay driver detached with `--driver-attempts attempts` on an owned cluster; resolves with the application id. */
async function runReplayDriver(
  controlPlane: TestControlPlane,
  dir: string,
  { attempts = 2, random = false, slowRecordMs }: { attempts?: number; random?: boolean; slowRecordMs?: number } = {},
): Promise<string> {
  const run = await runCli(
    [
      'run',
      '-D',
      '--driver-attempts',
      String(attempts),
      '-p',
      '1',
      '--task-executors',
      '3',
      '--slots',
      '2',
      '--name',
      NAME,
      '-c',
      'replay.js#main',
      APPS,
      dir,
      random ? 'random' : 'same',
      ...(slowRecordMs === undefined ? [] : [String(slowRecordMs)]),
    ],
    controlPlane.env,
  );
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** Lets the driver go past its second job. */
function letGo(dir: string): void {
  writeFileSync(join(dir, 'go'), '');
}

/** The application's jobs other than its drivers, as the control plane lists them. */
async function jobsOf(controlPlane: TestControlPlane, applicationId: string) {
  const { jobs } = await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' });
  return jobs.filter((job) => job.livingPriority !== LivingPriority.DRIVER);
}

/** Whether the job named `name` (of JOBS) has reached `status` in the control plane's record. */
async function jobIs(controlPlane: TestControlPlane, applicationId: string, name: string, status: JobStatus) {
  return (await jobsOf(controlPlane, applicationId)).some((job) => job.name === name && job.status === status);
}

/** Follows the application to its end; resolves with it as GetApplication answers. */
async function ended(controlPlane: TestControlPlane, applicationId: string) {
  await watchAll(controlPlane.client, applicationId, 0, true);
  return (await controlPlane.client.getApplication({ applicationId })).application!;
}

/** What the driver's jobs and the driver wrote: its result file and the first and third jobs' outputs. */
function outputOf(dir: string): Record<string, string> {
  const read = (path: string): string =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .sort()
          .map((file) => read(join(path, file)))
          .join('')
      : readFileSync(path, 'utf8');
  return Object.fromEntries(['result.txt', 'squares', 'slow'].map((file) => [file, read(join(dir, file))]));
}

/** The job status events that say a submission was answered from the record, as "ordinal KIND". */
async function replayedSubmissions(controlPlane: TestControlPlane, applicationId: string): Promise<string[]> {
  const replays: JobStatusChanged[] = [];
  for (const event of await watchAll(controlPlane.client, applicationId, 0, false))
    if (event.kind?.$case === 'jobStatusChanged' && event.kind.jobStatusChanged.replay !== DriverReplayKind.UNSPECIFIED)
      replays.push(event.kind.jobStatusChanged);
  return [...new Set(replays.map((event) => `${event.driverOrdinal} ${DriverReplayKind[event.replay]}`))];
}

/** Each of the four jobs is listed exactly once, and the application ended FINISHED after two attempts with the undisturbed run's output. */
async function expectReplayedRun(controlPlane: TestControlPlane, applicationId: string, dir: string) {
  const application = await ended(controlPlane, applicationId);
  expect(application.status, application.failure?.message).toBe(ApplicationStatus.FINISHED);
  expect(application.attempts.map((attempt) => attempt.number)).toEqual([1, 2]);
  expect(application.attempts[0]).toMatchObject({ category: FailureCategory.INFRASTRUCTURE });
  expect((await jobsOf(controlPlane, applicationId)).map((job) => job.name).sort()).toEqual([...JOBS].sort());
  expect(outputOf(dir)).toEqual(undisturbed.output);
  const logs = await runCli(['logs', applicationId], controlPlane.env);
  expect(logs.stdout).toBe(undisturbed.log);
  expect(logs.stderr).toContain(`[flotilla] driver attempt 2 of 2 (driver job ${application.driverJobId})`);
  await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 30_000, interval: 200 }).toEqual([]);
  return application;
}

/**
 * Runs the replay driver on `controlPlane`, kills its owned cluster's job manager (SIGKILL) while the
 * third job runs, and checks the application ends FINISHED on a new cluster with jobs 1–2 replayed
 * from the record and job 3 run again (1 restart), leaving no process of the first cluster.
 */
async function jobManagerKilledDuringThirdJob(controlPlane: TestControlPlane): Promise<void> {
  const dir = sharedDir();
  letGo(dir);
  const applicationId = await runReplayDriver(controlPlane, dir);
  await expect
    .poll(() => jobIs(controlPlane, applicationId, JOBS[2], JobStatus.RUNNING), { timeout: 90_000, interval: 200 })
    .toBe(true);
  const first = (await controlPlane.client.getApplication({ applicationId })).application!.clusterId;
  const firstProcesses = processesOfCluster(controlPlane.stateDir, first);
  process.kill(firstProcesses.jobmanager, 'SIGKILL');
  const application = await expectReplayedRun(controlPlane, applicationId, dir);
  expect(application.clusterId).not.toBe(first);
  expect(application.attempts[0]).toMatchObject({ clusterId: first, cause: { name: 'ClusterLostError' } });
  expect(application.attempts[1]).toMatchObject({ clusterId: application.clusterId });
  // The fourth job may have ended (replayed) or not (run again) when the job manager died.
  const replays = await replayedSubmissions(controlPlane, applicationId);
  expect(replays.filter((replay) => !replay.startsWith('4 '))).toEqual(['1 REPLAYED', '2 REPLAYED', '3 RESUBMITTED']);
  const slow = (await jobsOf(controlPlane, applicationId)).find((job) => job.name === JOBS[2])!;
  expect(slow).toMatchObject({ status: JobStatus.FINISHED, restarts: 1, clusterId: application.clusterId });
  // The restart is shown: `flotilla jobs` lists the job once, FINISHED, with 1 restart.
  const jobs = await runCli(['jobs', applicationId], controlPlane.env);
  expect(jobs.stdout).toMatch(new RegExp(`${slow.id}\\s+${JOBS[2]}\\s+FINISHED\\s+1\\s`));
  for (const pid of firstProcesses.all) expect(existsSync(`/proc/${pid}`)).toBe(false);
}

/** The job manager's pid and every pid of the local cluster `clusterId` of the control plane with `stateDir`. */
function processesOfCluster(stateDir: string, clusterId: string): { jobmanager: number; all: number[] } {
  const all = clusterProcesses(stateDir).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterId),
  );
  const jobmanager = all.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('jobmanager'));
  expect(jobmanager).toBeGreaterThan(0);
  return { jobmanager: jobmanager!, all };
}

let controlPlane: TestControlPlane;
/** What an undisturbed run of the replay driver wrote, and its driver log. */
let undisturbed: { output: Record<string, string>; log: string };

beforeAll(async () => {
  controlPlane = await startControlPlane();
  const dir = sharedDir();
  letGo(dir);
  const applicationId = await runReplayDriver(controlPlane, dir);
  const application = await ended(controlPlane, applicationId);
  expect(application.status, application.failure?.message).toBe(ApplicationStatus.FINISHED);
  expect(application.attempts).toEqual([]);
  undisturbed = { output: outputOf(dir), log: (await runCli(['logs', applicationId], controlPlane.env)).stdout };
  expect(undisturbed.output['result.txt']).toBe(
    'sum of tens 4650\neven squares 4,16,36,64,100,144,196,256,324,400,484,576,676,784,900,1024,1156,1296,1444,1600,1764,1936,2116,2304,2500\nslow job ended\n',
  );
}, TEST_TIMEOUT_MS);

describe('flotilla run -D --driver-attempts 2: replay, not re-run', () => {
  it(
    'kill -9 of the driver’s task executor after its second job FINISHED: the first two jobs are replayed, not run again',
    async () => {
      const dir = sharedDir();
      const applicationId = await runReplayDriver(controlPlane, dir);
      await killDriverHost(controlPlane, applicationId, {
        ready: () => jobIs(controlPlane, applicationId, JOBS[1], JobStatus.FINISHED),
      });
      letGo(dir);
      await expectReplayedRun(controlPlane, applicationId, dir);
      expect(await replayedSubmissions(controlPlane, applicationId)).toEqual(['1 REPLAYED', '2 REPLAYED']);
      // The events say so where people read them.
      const watch = await runCli(['watch', applicationId], controlPlane.env);
      expect(`${watch.stdout}${watch.stderr}`).toContain(
        `"${JOBS[1]}" (${(await jobsOf(controlPlane, applicationId)).find((job) => job.name === JOBS[1])!.id}) FINISHED (submission 2 of driver attempt 2: replayed from attempt 1's record, not run again)`,
      );
      for (const job of await jobsOf(controlPlane, applicationId)) expect(job.restarts).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill -9 of the driver’s task executor while its third job runs: the next attempt attaches to that job on the same cluster',
    async () => {
      const dir = sharedDir();
      letGo(dir);
      // 40 records of 500 ms: the third job is still running when the next attempt reaches it.
      const applicationId = await runReplayDriver(controlPlane, dir, { slowRecordMs: 500 });
      const first = await killDriverHost(controlPlane, applicationId, {
        ready: () => jobIs(controlPlane, applicationId, JOBS[2], JobStatus.RUNNING),
      });
      const application = await expectReplayedRun(controlPlane, applicationId, dir);
      expect(application.attempts[0]).toMatchObject({ driverJobId: first, cause: { name: 'DriverLostError' } });
      expect(application.attempts[1].clusterId).toBe(application.attempts[0].clusterId);
      // The fourth job may have ended (replayed) or not (run again) when the driver was lost.
      const replays = await replayedSubmissions(controlPlane, applicationId);
      expect(replays.filter((replay) => !replay.startsWith('4 '))).toEqual(['1 REPLAYED', '2 REPLAYED', '3 ATTACHED']);
      // Attached, not submitted again: the third job is one job of the first cluster that FINISHED.
      const slow = (await jobsOf(controlPlane, applicationId)).filter((job) => job.name === JOBS[2]);
      expect(slow).toHaveLength(1);
      expect(slow[0]).toMatchObject({ status: JobStatus.FINISHED, clusterId: application.clusterId });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill -9 of the owned cluster’s job manager during the third job: a new cluster, jobs 1–2 replayed from the record, job 3 run again',
    () => jobManagerKilledDuringThirdJob(controlPlane),
    TEST_TIMEOUT_MS,
  );

  it(
    'a driver whose second submission depends on Math.random() fails its second attempt with NonDeterministicDriverError naming ordinal 2',
    async () => {
      const dir = sharedDir();
      const applicationId = await runReplayDriver(controlPlane, dir, { random: true });
      let firstTens = '';
      await killDriverHost(controlPlane, applicationId, {
        ready: async () => {
          firstTens = (await jobsOf(controlPlane, applicationId)).find((job) => job.name === JOBS[1])?.id ?? '';
          return jobIs(controlPlane, applicationId, JOBS[1], JobStatus.FINISHED);
        },
      });
      const application = await ended(controlPlane, applicationId);
      expect(application.status).toBe(ApplicationStatus.FAILED);
      expect(application.failureCategory).toBe(FailureCategory.APPLICATION);
      expect(application.failure?.name).toBe('NonDeterministicDriverError');
      expect(application.failure?.message).toContain('at ordinal 2');
      expect(application.failure?.message).toContain(`submitted job "${JOBS[1]}"`);
      expect(application.failure?.message).toContain(`attempt 1 submitted job ${firstTens} "${JOBS[1]}"`);
      expect(await replayedSubmissions(controlPlane, applicationId)).toEqual(['1 REPLAYED']);
      const status = await runCli(['status', applicationId], controlPlane.env);
      expect(status.stdout).toMatch(/NonDeterministicDriverError: .*at ordinal 2/);
      await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 30_000, interval: 200 }).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kill -9 of the control plane between two attempts: after a restart the next attempt runs and the application ends FINISHED',
    async () => {
      const own = await startControlPlane();
      const dir = sharedDir();
      const applicationId = await runReplayDriver(own, dir);
      await killDriverHost(own, applicationId, { ready: () => jobIs(own, applicationId, JOBS[1], JobStatus.FINISHED) });
      // Killed before it can notice the driver's loss (the job manager's heartbeat timeout): the next attempt starts after the restart.
      await own.stop('SIGKILL');
      letGo(dir);
      const restarted = await startControlPlane([], own.stateDir);
      await expectReplayedRun(restarted, applicationId, dir);
      expect(await replayedSubmissions(restarted, applicationId)).toEqual(['1 REPLAYED', '2 REPLAYED']);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('flotilla run -D --driver-attempts 2 on a control plane with the PostgreSQL store', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'kill -9 of the owned cluster’s job manager during the third job: jobs 1–2 replayed from the record PostgreSQL keeps, job 3 run again',
    async () => {
      const store = await server.createDatabase();
      const own = await startControlPlane(['--store', store, '--artifact-dir', tempDir('flotilla-artifacts-')]);
      await jobManagerKilledDuringThirdJob(own);
    },
    TEST_TIMEOUT_MS,
  );
});
