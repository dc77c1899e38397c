/**
 * Application mode end to end, through the CLI, on real processes: `flotilla run --target
 * application` against a control plane that deploys a cluster for the application, runs main() in
 * that cluster's job manager process (no slot, no task) and tears the cluster down when the
 * application ends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { ApplicationStatus, ClusterStatus, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { applicationChanges, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import {
  clusterProcesses,
  recordedClusterFolder,
  recordedClusterSecret,
  startControlPlane,
  watchAll,
  type TestControlPlane,
} from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const app = (name: string) => ['--name', `e2e-${name}`, '-c', `${name}.js#main`, APPS];

/** What a process of the application's cluster wrote to stdout (`jobmanager`, `taskexecutor-0`): its `.out` file, kept after teardown. */
function processOutput(controlPlane: TestControlPlane, clusterId: string, process: string): string {
  return readFileSync(join(recordedClusterFolder(controlPlane.stateDir, clusterId), `${process}.out`), 'utf8');
}

/** The pid of the one job manager process of the control plane's clusters. */
function jobManagerPid(controlPlane: TestControlPlane): number {
  const pids = clusterProcesses(controlPlane.stateDir).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('jobmanager'),
  );
  expect(pids).toHaveLength(1);
  return pids[0];
}

describe('flotilla run --target application', () => {
  it('runs main() of the example in the job manager of a cluster of its own, both jobs FINISHED, and leaves no process of the cluster', async () => {
    const controlPlane = await startControlPlane();
    const output = join(sharedDir(), 'ranking');
    const { code, stdout, stderr } = await runCli(
      ['run', '--target', 'application', '--follow', EXAMPLE, '4', output],
      controlPlane.env,
    );
    expect(stderr).toContain('in application mode; following its events');
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    const applicationId = stdout.trim();
    expect(partLines(output)).toEqual(['to 6', 'the 3', 'and 2', 'be 2']);

    const { application } = await controlPlane.client.getApplication({ applicationId });
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const jobs = jobStatuses(events);
    expect(jobs.get('wordcount-example: main')).toBe(JobStatus.FINISHED);
    expect(jobs.get('wordcount-example: count words')).toBe(JobStatus.FINISHED);
    expect(jobs.get('wordcount-example: write ranking')).toBe(JobStatus.FINISHED);
    // The job that stands for main() is the application's DRIVER job, and it never had a task.
    const mainJob = events.find(
      (event) =>
        event.kind?.$case === 'jobStatusChanged' && event.kind.jobStatusChanged.jobName === 'wordcount-example: main',
    );
    expect(mainJob?.kind?.$case === 'jobStatusChanged' && mainJob.kind.jobStatusChanged.livingPriority).toBe(
      LivingPriority.DRIVER,
    );
    expect(application!.driverJobId).toBe(
      mainJob?.kind?.$case === 'jobStatusChanged' ? mainJob.kind.jobStatusChanged.jobId : 'none',
    );
    const tasks = events.flatMap((event) =>
      event.kind?.$case === 'taskStateChanged' ? [event.kind.taskStateChanged] : [],
    );
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.filter((task) => task.jobId === application!.driverJobId)).toEqual([]);

    // The cluster has one slot (parallelism 1, nothing extra for main()), and both jobs ran in it.
    const { cluster } = await controlPlane.client.getCluster({ clusterId: application!.clusterId });
    expect(cluster!.spec).toMatchObject({ taskExecutors: 1, slotsPerTaskExecutor: 1 });
    // main()'s console went to the job manager's stdout (its .out file), not to a task executor's.
    const jobmanagerOut = processOutput(controlPlane, cluster!.id, 'jobmanager');
    expect(jobmanagerOut).toContain('to\t6\nthe\t3\nand\t2\nbe\t2\n');
    expect(jobmanagerOut).toContain(`wrote the top 4 words to ${output}\n`);
    expect(processOutput(controlPlane, cluster!.id, 'taskexecutor-0')).not.toContain('wrote the top');

    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
    expect((await controlPlane.client.getCluster({ clusterId: cluster!.id })).cluster!.status).toBe(
      ClusterStatus.STOPPED,
    );
  }, 120_000);

  it('ends FAILED with the message main() threw, cancels the job it started, and tears the cluster down', async () => {
    const controlPlane = await startControlPlane();
    const { code, stdout, stderr } = await runCli(
      ['run', '-t', 'application', '--follow', ...app('throws')],
      controlPlane.env,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/application FAILED.*main\(\) gave up on purpose/);
    const applicationId = stdout.trim();
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    expect(applicationChanges(events).at(-1)).toMatchObject({
      status: ApplicationStatus.FAILED,
      message: 'main() failed in the job manager: Error: main() gave up on purpose',
    });
    expect(jobStatuses(events).get('e2e-throws: long job')).toBe(JobStatus.CANCELED);
    expect(jobStatuses(events).get('e2e-throws: main')).toBe(JobStatus.FAILED);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.FAILED);
    expect(application!.failure).toMatchObject({ name: 'Error', message: 'main() gave up on purpose' });
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('keeps what main() writes as the main job’s output in the job manager, and a cancel stops main() and its job: CANCELED, cluster gone', async () => {
    const controlPlane = await startControlPlane();
    const run = await runCli(
      ['run', '--target', 'application', '-d', ...app('slow'), '100000', join(sharedDir(), 'out')],
      controlPlane.env,
    );
    expect(run.stderr).toContain('in application mode; watch it with');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    let jobmanager = '';
    await expect
      .poll(
        async () => {
          const events = await watchAll(controlPlane.client, applicationId, 0, false);
          for (const event of events) {
            if (
              event.kind?.$case === 'clusterStatusChanged' &&
              event.kind.clusterStatusChanged.status === ClusterStatus.RUNNING
            )
              jobmanager = event.kind.clusterStatusChanged.jobmanagerAddress;
          }
          return jobStatuses(events).get('e2e-slow: slow job') === JobStatus.RUNNING && jobmanager !== '';
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    const { client: dispatcher } = connectClient(DispatcherServiceDefinition, jobmanager, {
      clusterSecret: recordedClusterSecret(controlPlane.stateDir, application!.clusterId),
    });
    let mainOutput = '';
    for await (const chunk of dispatcher.readJobOutput({ jobId: application!.driverJobId, offset: 0n, follow: false }))
      mainOutput += Buffer.from(chunk.data).toString();
    expect(mainOutput).toBe('counting to 100000 slowly\n');
    const { job } = await dispatcher.getJob({ jobId: application!.driverJobId });
    expect(job).toMatchObject({ name: 'e2e-slow: main', livingPriority: LivingPriority.DRIVER, taskCounts: [] });
    // The Dispatcher says where main() runs: the job manager's own process.
    const running: string[] = [];
    for await (const { event } of dispatcher.watchJobEvents({
      afterSequence: 0n,
      jobId: application!.driverJobId,
      follow: false,
    })) {
      if (
        event?.kind?.$case === 'applicationStatusChanged' &&
        event.kind.applicationStatusChanged.status === ApplicationStatus.RUNNING
      )
        running.push(event.kind.applicationStatusChanged.message);
    }
    expect(running).toEqual([`main() is running in the job manager (pid ${jobManagerPid(controlPlane)})`]);

    const cancelled = await runCli(['cancel', applicationId], controlPlane.env);
    expect(cancelled.code).toBe(0);
    const events = await watchAll(controlPlane.client, applicationId, 0, true);
    expect(applicationChanges(events).at(-1)?.status).toBe(ApplicationStatus.CANCELED);
    expect(jobStatuses(events).get('e2e-slow: main')).toBe(JobStatus.CANCELED);
    expect(jobStatuses(events).get('e2e-slow: slow job')).toBe(JobStatus.CANCELED);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('refuses a named cluster before uploading anything: application mode always gets a cluster of its own', async () => {
    const controlPlane = await startControlPlane();
    for (const named of [
      ['-m', '127.0.0.1:1'],
      ['--cluster', 'cluster-1'],
    ]) {
      const { code, stderr } = await runCli(['run', '--target', 'application', ...named, EXAMPLE], controlPlane.env);
      expect(code).toBe(2);
      expect(stderr).toContain('--target application always runs on a cluster deployed for the application');
    }
    const { applications } = await controlPlane.client.listApplications({ pageSize: 10, pageToken: '', statuses: [] });
    expect(applications).toEqual([]);
  }, 60_000);
});
