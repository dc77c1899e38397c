/**
 * Driver mode with streaming jobs (issue 16, part 5), through the CLI on real processes: a control
 * plane deploys a cluster per application and runs `main()` as a driver job, which starts an
 * unbounded streaming job (test/e2e/fixtures/apps/streaming.js). FLIP-40 leaves the choice to the
 * user: `executeAsync()` and return leaves the application RUNNING (the job keeps committing
 * output) until `flotilla cancel` ends it CANCELED; `execute()` keeps `main()` waiting; a DAEMON
 * job (`executeAsync(name, { livingPriority: 'DAEMON' })`) is cancelled when the application's
 * last NORMAL job ends, and the application ends FINISHED.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { applicationChanges, finalStatus, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { clusterProcesses, startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const NAME = 'e2e-streaming';
const STREAMING_JOB = `${NAME}: endless counts`;
const BOUNDED_JOB = `${NAME}: bounded job`;
/** The arguments after `flotilla run` (and its --follow) of the streaming fixture in driver mode on an owned cluster of one task executor with 4 slots. */
const run = (...args: string[]) => ['-D', '--slots', '4', '--name', NAME, '-c', 'streaming.js#main', APPS, ...args];

/** The lines of the committed part files in `folder` (the sink's hidden in-progress and pending files left out). */
function committedLines(folder: string): number {
  if (!existsSync(folder)) return 0;
  return readdirSync(folder)
    .filter((name) => name.startsWith('part-'))
    .reduce((lines, name) => lines + readFileSync(join(folder, name), 'utf8').split('\n').filter(Boolean).length, 0);
}

/** Every event stored so far for the application. */
const eventsOf = (controlPlane: TestControlPlane, applicationId: string) =>
  watchAll(controlPlane.client, applicationId, 0, false);

/** The driver job's status as the control plane answers it. */
async function driverStatus(controlPlane: TestControlPlane, applicationId: string): Promise<JobStatus | undefined> {
  const { application } = await controlPlane.client.getApplication({ applicationId });
  if (!application?.driverJobId) return undefined;
  return (await controlPlane.client.getJob({ jobId: application.driverJobId })).job?.status;
}

/** Waits until the streaming job is RUNNING and the driver job is in `driver`. */
async function waitForStreaming(controlPlane: TestControlPlane, applicationId: string, driver: JobStatus) {
  await expect
    .poll(
      async () => [
        jobStatuses(await eventsOf(controlPlane, applicationId)).get(STREAMING_JOB),
        await driverStatus(controlPlane, applicationId),
      ],
      { timeout: 60_000, interval: 250 },
    )
    .toEqual([JobStatus.RUNNING, driver]);
}

/** Checks that the streaming job keeps committing output: more lines a while after `before` was counted. */
async function expectOutputFlowing(output: string): Promise<void> {
  await expect.poll(() => committedLines(output), { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);
  const before = committedLines(output);
  await expect.poll(() => committedLines(output), { timeout: 30_000, interval: 250 }).toBeGreaterThan(before);
}

/** Cancels the application with `flotilla cancel`; it must end CANCELED with its jobs, and no cluster process left. */
async function cancelAndCheck(controlPlane: TestControlPlane, applicationId: string): Promise<ApplicationEvent[]> {
  const cancelled = await runCli(['cancel', applicationId], controlPlane.env);
  expect(cancelled.code).toBe(0);
  const events = await watchAll(controlPlane.client, applicationId, 0, true);
  expect(finalStatus(events)).toBe(ApplicationStatus.CANCELED);
  expect(jobStatuses(events).get(STREAMING_JOB)).toBe(JobStatus.CANCELED);
  const status = await runCli(['status', applicationId], controlPlane.env);
  expect(status.stdout).toMatch(/^Status: +CANCELED/m);
  await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 10_000, interval: 100 }).toEqual([]);
  return events;
}

/**
 * Runs the fixture with `how` (async or sync) and waits until the streaming job runs and commits
 * output while the driver job is in `driver`; the application must be RUNNING, as `flotilla status`
 * shows it. Returns the control plane, the application and that status output.
 */
async function runStreaming(how: 'async' | 'sync', driver: 'FINISHED' | 'RUNNING') {
  const controlPlane = await startControlPlane();
  const output = join(sharedDir(), 'counts');
  const started = await runCli(['run', ...run(how, output)], controlPlane.env);
  expect(started.code).toBe(0);
  const applicationId = started.stdout.trim();
  await waitForStreaming(controlPlane, applicationId, JobStatus[driver]);
  await expectOutputFlowing(output);
  const { application } = await controlPlane.client.getApplication({ applicationId });
  expect(application!.status).toBe(ApplicationStatus.RUNNING);
  const status = await runCli(['status', applicationId], controlPlane.env);
  expect(status.stdout).toMatch(/^Status: +RUNNING/m);
  expect(status.stdout).toMatch(new RegExp(`^Driver: +\\S+ ${driver}`, 'm'));
  const logs = await runCli(['logs', applicationId], controlPlane.env);
  return { controlPlane, applicationId, status: status.stdout, logs: logs.stdout };
}

describe('driver mode with a streaming job', () => {
  it('stays RUNNING after main() started the job with executeAsync() and returned, until flotilla cancel', async () => {
    // main() returned (its driver job FINISHED) and the streaming job runs on, committing output.
    const { controlPlane, applicationId, status, logs } = await runStreaming('async', 'FINISHED');
    expect(status).toMatch(new RegExp(`${STREAMING_JOB}\\s+RUNNING\\s+0\\s+\\S+\\s+NORMAL`));
    // The events say so too: DEPLOYING, then RUNNING, and nothing since.
    expect(applicationChanges(await eventsOf(controlPlane, applicationId)).map((change) => change.status)).toEqual([
      ApplicationStatus.DEPLOYING,
      ApplicationStatus.RUNNING,
    ]);
    expect(logs).toContain('main() returns');

    await cancelAndCheck(controlPlane, applicationId);
  }, 120_000);

  it('keeps main() waiting in execute(): the driver job stays RUNNING beside the streaming job', async () => {
    const { controlPlane, applicationId, logs } = await runStreaming('sync', 'RUNNING');
    expect(logs).toContain('waiting for the streaming job');
    expect(logs).not.toContain('main() returns');

    await cancelAndCheck(controlPlane, applicationId);
    // Cancelling the application cancels main() too: it never got past execute().
    expect(await driverStatus(controlPlane, applicationId)).toBe(JobStatus.CANCELED);
  }, 120_000);

  it('cancels a DAEMON streaming job once the bounded NORMAL job ends, and ends the application FINISHED', async () => {
    const controlPlane = await startControlPlane();
    const output = join(sharedDir(), 'counts');
    const bounded = join(sharedDir(), 'bounded');
    const { code, stdout, stderr } = await runCli(
      ['run', '--follow', ...run('daemon', output, bounded)],
      controlPlane.env,
    );
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    const applicationId = stdout.trim();
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const jobs = jobStatuses(events);
    expect(jobs.get(BOUNDED_JOB)).toBe(JobStatus.FINISHED);
    expect(jobs.get(STREAMING_JOB)).toBe(JobStatus.CANCELED);
    expect(finalStatus(events)).toBe(ApplicationStatus.FINISHED);
    expect(applicationChanges(events).at(-1)?.message).toMatch(/jobs: 1 FINISHED; daemon jobs: 1 CANCELED/);
    expect(
      partLines(bounded)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    // The daemon job ran: it was RUNNING before it was cancelled.
    expect(
      events.some(
        (event) =>
          event.kind?.$case === 'jobStatusChanged' &&
          event.kind.jobStatusChanged.jobName === STREAMING_JOB &&
          event.kind.jobStatusChanged.status === JobStatus.RUNNING &&
          event.kind.jobStatusChanged.livingPriority === LivingPriority.DAEMON,
      ),
    ).toBe(true);

    // flotilla jobs shows each job's priority; ListJobs answers it.
    const { jobs: listed } = await controlPlane.client.listJobs({
      pageSize: 10,
      pageToken: '',
      applicationId,
      clusterId: '',
    });
    expect(listed.find((job) => job.name === STREAMING_JOB)?.livingPriority).toBe(LivingPriority.DAEMON);
    expect(listed.find((job) => job.name === BOUNDED_JOB)?.livingPriority).toBe(LivingPriority.NORMAL);
    const table = await runCli(['jobs', applicationId], controlPlane.env);
    expect(table.stdout).toMatch(new RegExp(`${STREAMING_JOB}\\s+CANCELED\\s+0\\s+\\S+\\s+DAEMON\\n`));
    expect(table.stdout).toMatch(new RegExp(`${BOUNDED_JOB}\\s+FINISHED\\s+0\\s+\\S+\\s+NORMAL\\n`));
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 10_000, interval: 100 }).toEqual([]);
  }, 120_000);
});
