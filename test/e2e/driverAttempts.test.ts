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
import { ApplicationStatus, FailureCategory } from '../../generated/flotilla/v1/status.js';
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
});
