/**
 * Driver attempts end to end, through the CLI, on real processes: `flotilla run -D
 * --driver-attempts N` against a control plane that deploys clusters as child processes; the
 * driver's task executor is killed with SIGKILL while the driver runs, and the control plane starts
 * the next attempt while attempts remain, or ends the application FAILED with category
 * INFRASTRUCTURE and each attempt's cause once they are used up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, FailureCategory, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { clusterProcesses, startControlPlane, watchAll } from '../support/controlPlane.js';
import { killDriverHost } from '../support/driverHost.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const app = (name: string) => ['--name', `e2e-${name}`, '-c', `${name}.js#main`, APPS];

describe('flotilla run -D --driver-attempts', () => {
  it('starts a second attempt when the driver’s task executor is killed, and ends FINISHED', async () => {
    const controlPlane = await startControlPlane();
    const dir = sharedDir();
    const run = await runCli(
      ['run', '-D', '--driver-attempts', '2', '--task-executors', '2', '--slots', '2', ...app('failover'), dir],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    // Killed once main() noted its first attempt: a driver killed before that would take its next attempt for the first.
    const first = await killDriverHost(controlPlane, applicationId, { ready: () => existsSync(join(dir, 'started')) });
    await watchAll(controlPlane.client, applicationId, 0, true);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.FINISHED);
    expect(application!.failureCategory).toBe(FailureCategory.UNSPECIFIED);
    expect(application!.attempts).toMatchObject([
      { number: 1, driverJobId: first, category: FailureCategory.INFRASTRUCTURE, cause: { name: 'DriverLostError' } },
      { number: 2, driverJobId: application!.driverJobId },
    ]);
    expect(application!.driverJobId).not.toBe(first);
    // The driver log holds both attempts, the second under a line that numbers it.
    const logs = await runCli(['logs', applicationId], controlPlane.env);
    expect(logs.stdout).toMatch(/the first attempt: waiting to be killed\n[\s\S]*a later attempt: a short job\ndone\n/);
    expect(logs.stderr).toContain(`[flotilla] driver attempt 2 of 2 (driver job ${application!.driverJobId})`);
    const status = await runCli(['status', applicationId], controlPlane.env);
    expect(status.stdout).toMatch(/Attempts:\s+2 of 2/);
    expect(status.stdout).toMatch(/Attempt 1:\s+driver \S+ on cluster \S+: INFRASTRUCTURE DriverLostError: /);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 180_000);

  it('ends FAILED, category INFRASTRUCTURE, with every attempt’s cause once the attempts are used up', async () => {
    const controlPlane = await startControlPlane();
    const run = await runCli(
      [
        'run',
        '-D',
        '--driver-attempts',
        '2',
        '--task-executors',
        '3',
        '--slots',
        '2',
        ...app('slow'),
        '100000',
        join(sharedDir(), 'out'),
      ],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    const first = await killDriverHost(controlPlane, applicationId);
    await killDriverHost(controlPlane, applicationId, { after: first });
    await watchAll(controlPlane.client, applicationId, 0, true);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.FAILED);
    expect(application!.failureCategory).toBe(FailureCategory.INFRASTRUCTURE);
    expect(application!.failure?.name).toBe('DriverLostError');
    expect(application!.attempts).toHaveLength(2);
    for (const attempt of application!.attempts) {
      expect(attempt.category).toBe(FailureCategory.INFRASTRUCTURE);
      expect(attempt.cause?.name).toBe('DriverLostError');
    }
    const status = await runCli(['status', applicationId], controlPlane.env);
    expect(status.stdout).toMatch(/Category:\s+INFRASTRUCTURE/);
    expect(status.stdout).toMatch(/Attempt 1:.*DriverLostError/);
    expect(status.stdout).toMatch(/Attempt 2:.*DriverLostError/);
    const json = JSON.parse((await runCli(['status', applicationId, '-o', 'json'], controlPlane.env)).stdout) as {
      application: { failureCategory: string; attempts: { cause: { name: string } }[] };
    };
    expect(json.application.failureCategory).toBe('FAILURE_CATEGORY_INFRASTRUCTURE');
    expect(json.application.attempts.map((attempt) => attempt.cause.name)).toEqual([
      'DriverLostError',
      'DriverLostError',
    ]);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 180_000);

  it('starts a driver that failed by its own doing again only with --driver-retry-own-failures', async () => {
    const controlPlane = await startControlPlane();
    const retried = sharedDir();
    const run = await runCli(
      ['run', '-D', '--driver-attempts', '2', '--driver-retry-own-failures', ...app('flaky'), retried],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const once = sharedDir();
    const notRetried = await runCli(['run', '-D', '--driver-attempts', '2', ...app('flaky'), once], controlPlane.env);
    expect(notRetried.code).toBe(0);
    await watchAll(controlPlane.client, run.stdout.trim(), 0, true);
    await watchAll(controlPlane.client, notRetried.stdout.trim(), 0, true);

    const { application } = await controlPlane.client.getApplication({ applicationId: run.stdout.trim() });
    expect(application!.status).toBe(ApplicationStatus.FINISHED);
    expect(application!.driverRetryOwnFailures).toBe(true);
    expect(application!.attempts).toMatchObject([
      { number: 1, category: FailureCategory.APPLICATION, cause: { message: 'the external service did not answer' } },
      { number: 2, driverJobId: application!.driverJobId },
    ]);
    expect(existsSync(join(retried, 'second'))).toBe(true);
    const logs = await runCli(['logs', run.stdout.trim()], controlPlane.env);
    expect(logs.stdout).toContain('done after a failure of its own');
    const status = await runCli(['status', run.stdout.trim()], controlPlane.env);
    expect(status.stdout).toMatch(/Retried:\s+any driver failure/);
    // The first job ran once: the second attempt's first submission was answered from the record.
    const { jobs } = await controlPlane.client.listJobs({
      applicationId: run.stdout.trim(),
      clusterId: '',
      pageSize: 100,
      pageToken: '',
    });
    expect(
      jobs
        .filter((job) => job.livingPriority !== LivingPriority.DRIVER)
        .map((job) => job.name)
        .sort(),
    ).toEqual(['e2e-flaky: first job', 'e2e-flaky: second job']);

    // Without the setting the same failure ends the application after its first attempt.
    const { application: failed } = await controlPlane.client.getApplication({
      applicationId: notRetried.stdout.trim(),
    });
    expect(failed!.status).toBe(ApplicationStatus.FAILED);
    expect(failed!.failureCategory).toBe(FailureCategory.APPLICATION);
    expect(failed!.failure?.message).toContain('the external service did not answer');
    expect(failed!.attempts.length).toBeLessThanOrEqual(1);
    expect(existsSync(join(once, 'second'))).toBe(false);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 180_000);
});
