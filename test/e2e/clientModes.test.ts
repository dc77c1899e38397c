/**
 * Session and per-job modes end to end, through the CLI, on real processes: main() runs in the
 * CLI's process and its jobs go through the control plane, to a named cluster (session) or each
 * to a cluster deployed for it alone (per-job); attached runs wait for the application's outcome,
 * detached ones leave once main() returned.
 */
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { ApplicationStatus, ClusterStatus, JobStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { clusterInStatus } from '../controlplane/controlPlaneTesting.js';
import { finalStatus, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { clusterProcesses, startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { FLOTILLA_BIN, ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const RANKING = ['to 6', 'the 3', 'and 2', 'be 2'];

/** Starts a shared cluster through the CLI; resolves with its id and job manager address. */
async function sharedCluster(controlPlane: TestControlPlane): Promise<{ clusterId: string; address: string }> {
  const started = await runCli(['cluster', 'start', '--task-executors', '1', '--slots', '4'], controlPlane.env);
  expect(started.code).toBe(0);
  const clusterId = started.stdout.trim();
  return {
    clusterId,
    address: (await clusterInStatus(controlPlane.client, clusterId, ClusterStatus.RUNNING)).jobmanagerAddress,
  };
}

/** The application's final status, once it ended. */
async function endedStatus(
  controlPlane: TestControlPlane,
  applicationId: string,
): Promise<ApplicationStatus | undefined> {
  return finalStatus(await watchAll(controlPlane.client, applicationId, 0, true));
}

describe('session mode (main() in the CLI, jobs on a named cluster)', () => {
  it('attached: runs the example through the control plane to FINISHED, waits for it, and keeps the cluster', async () => {
    const controlPlane = await startControlPlane();
    const { clusterId, address } = await sharedCluster(controlPlane);
    const output = join(sharedDir(), 'ranking');
    const { code, stdout, stderr } = await runCli(['run', '-m', address, EXAMPLE, '4', output], controlPlane.env);
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    // main() ran here: its console output is the CLI's.
    expect(stdout).toContain('wrote the top 4 words');
    expect(partLines(output)).toEqual(RANKING);
    const applicationId = stdout.split('\n')[0];
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application).toMatchObject({ mode: SubmissionMode.SESSION, status: ApplicationStatus.FINISHED, clusterId });
    const { jobs } = await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' });
    expect(jobs.map((job) => [job.name, job.status, job.clusterId])).toEqual([
      ['wordcount-example: write ranking', JobStatus.FINISHED, clusterId],
      ['wordcount-example: count words', JobStatus.FINISHED, clusterId],
    ]);
    expect((await controlPlane.client.getCluster({ clusterId })).cluster!.status).toBe(ClusterStatus.RUNNING);
    expect(clusterProcesses(controlPlane.stateDir)).toHaveLength(2);
    expect((await runCli(['cluster', 'stop', clusterId], controlPlane.env)).code).toBe(0);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('detached: the CLI exits once main() returned; the job it left running ends the application FINISHED', async () => {
    const controlPlane = await startControlPlane();
    const { clusterId } = await sharedCluster(controlPlane);
    const output = join(sharedDir(), 'left');
    const { code, stdout, stderr } = await runCli(
      ['run', '-d', '--cluster', clusterId, '-c', 'leaves.js#main', APPS, '600', output],
      controlPlane.env,
    );
    expect(code).toBe(0);
    expect(stderr).toContain('main() returned; jobs it did not wait for keep running');
    const applicationId = stdout.split('\n')[0];
    // 600 records at 5 ms each: the job outlives the CLI.
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.RUNNING);
    expect(await endedStatus(controlPlane, applicationId)).toBe(ApplicationStatus.FINISHED);
    expect(partLines(output)).toHaveLength(600);

    // The multi-job example waits for both its jobs, so detached it ends with them.
    const ranking = join(sharedDir(), 'ranking');
    const example = await runCli(['run', '-d', '--cluster', clusterId, EXAMPLE, '4', ranking], controlPlane.env);
    expect(example.code).toBe(0);
    expect(partLines(ranking)).toEqual(RANKING);
    expect(await endedStatus(controlPlane, example.stdout.split('\n')[0])).toBe(ApplicationStatus.FINISHED);
  }, 120_000);

  it('ends the application FAILED with the thrown message when main() throws, and the CLI exits 1', async () => {
    const controlPlane = await startControlPlane();
    const { address } = await sharedCluster(controlPlane);
    const { code, stdout, stderr } = await runCli(
      ['run', '-m', address, '-c', 'throws.js#main', APPS],
      controlPlane.env,
    );
    expect(code).toBe(1);
    expect(stderr).toContain('main() failed: Error: main() gave up on purpose');
    const applicationId = stdout.split('\n')[0];
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.FAILED);
    expect(application!.failure?.message).toBe('main() gave up on purpose');
    // FLIP-40's rule for a failed driver: the job main() left running is cancelled.
    const { jobs } = await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' });
    expect(jobs.map((job) => [job.name, job.status])).toEqual([['e2e-apps: long job', JobStatus.CANCELED]]);
  }, 120_000);
});

describe('a client that dies while its main() runs', () => {
  it('is taken as lost after the client heartbeat timeout: its job is cancelled and the application ends FAILED with ClientLostError', async () => {
    const controlPlane = await startControlPlane(['--client-heartbeat-timeout', '2s']);
    const { address } = await sharedCluster(controlPlane);
    const cli = spawn(
      process.execPath,
      [FLOTILLA_BIN, 'run', '-m', address, '-c', 'slow.js#main', APPS, '100000', join(sharedDir(), 'out')],
      {
        env: { ...process.env, ...controlPlane.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    cli.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const applicationId = await vi.waitFor(
      () => {
        const id = stdout.split('\n')[0];
        if (!id) throw new Error('no application id yet');
        return id;
      },
      { timeout: 30_000 },
    );
    // The job runs (100000 records at 5 ms each): then the client dies without a word.
    await expect
      .poll(
        async () =>
          (await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' })).jobs.map(
            (job) => job.status,
          ),
        { timeout: 30_000 },
      )
      .toEqual([JobStatus.RUNNING]);
    cli.kill('SIGKILL');
    expect(await endedStatus(controlPlane, applicationId)).toBe(ApplicationStatus.FAILED);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.failure).toMatchObject({
      name: 'ClientLostError',
      message: expect.stringContaining('sent no heartbeat'),
    });
    await expect
      .poll(
        async () =>
          (await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' })).jobs.map(
            (job) => job.status,
          ),
        { timeout: 30_000 },
      )
      .toEqual([JobStatus.CANCELED]);
  }, 120_000);
});

describe('per-job mode (main() in the CLI, a cluster per job)', () => {
  for (const detached of [false, true]) {
    it(`${detached ? 'detached' : 'attached'}: runs the example's two jobs on two clusters, each torn down after its job`, async () => {
      const controlPlane = await startControlPlane();
      const output = join(sharedDir(), 'ranking');
      const { code, stdout, stderr } = await runCli(
        ['run', '--target', 'per-job', ...(detached ? ['-d'] : []), EXAMPLE, '4', output],
        controlPlane.env,
      );
      expect(code).toBe(0);
      if (!detached) expect(stderr).toContain('application FINISHED');
      expect(partLines(output)).toEqual(RANKING);
      const applicationId = stdout.split('\n')[0];
      expect(await endedStatus(controlPlane, applicationId)).toBe(ApplicationStatus.FINISHED);
      const events = await watchAll(controlPlane.client, applicationId, 0, false);
      expect(jobStatuses(events).get('wordcount-example: count words')).toBe(JobStatus.FINISHED);
      const { jobs } = await controlPlane.client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' });
      expect(jobs).toHaveLength(2);
      expect(new Set(jobs.map((job) => job.clusterId)).size).toBe(2);
      const { clusters } = await controlPlane.client.listClusters({ pageSize: 0, pageToken: '', statuses: [] });
      const owned = clusters.filter((cluster) => cluster.ownerApplicationId === applicationId);
      expect(owned.map((cluster) => cluster.id).sort()).toEqual(jobs.map((job) => job.clusterId).sort());
      await expect
        .poll(
          async () =>
            (await controlPlane.client.listClusters({ pageSize: 0, pageToken: '', statuses: [] })).clusters.map(
              (cluster) => cluster.status,
            ),
          { timeout: 10_000 },
        )
        .toEqual([ClusterStatus.STOPPED, ClusterStatus.STOPPED]);
      await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
    }, 120_000);
  }
});
