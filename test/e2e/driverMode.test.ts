/**
 * Driver mode end to end, through the CLI, on real processes: `flotilla run -D` against a control
 * plane that deploys session clusters as child processes, runs main() as a driver job and tears the
 * cluster down when the application ends.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, ExecutionState, JobStatus } from '../../generated/flotilla/v1/status.js';
import { finalStatus, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { clusterProcesses, recordedClusterSecret, startControlPlane, watchAll } from '../support/controlPlane.js';
import { FLOTILLA_BIN, ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
/** One bundle of test applications; `app(name)` runs `<name>.js#main` under the name `e2e-<name>`. */
const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const app = (name: string) => ['--name', `e2e-${name}`, '-c', `${name}.js#main`, APPS];

describe('flotilla run -D', () => {
  it('deploys a cluster, runs both jobs of the example to FINISHED, and leaves no process of the cluster', async () => {
    const controlPlane = await startControlPlane();
    const output = join(sharedDir(), 'ranking');
    const { code, stdout, stderr } = await runCli(['run', '-D', '--follow', EXAMPLE, '4', output], controlPlane.env);
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    const applicationId = stdout.trim();
    expect(applicationId).toMatch(/^\S+$/);
    expect(partLines(output)).toEqual(['to 6', 'the 3', 'and 2', 'be 2']);
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const jobs = jobStatuses(events);
    expect(jobs.get('wordcount-example: count words')).toBe(JobStatus.FINISHED);
    expect(jobs.get('wordcount-example: write ranking')).toBe(JobStatus.FINISHED);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it("exits while the application runs; killing the CLI's process group changes nothing; watch sees it FINISHED", async () => {
    const controlPlane = await startControlPlane();
    const cli = spawn(process.execPath, [FLOTILLA_BIN, 'run', '-D', ...app('slow'), '600', join(sharedDir(), 'out')], {
      env: { ...process.env, ...controlPlane.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    cli.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const [code] = (await once(cli, 'exit')) as [number];
    try {
      process.kill(-cli.pid!, 'SIGKILL');
    } catch {
      // the group has no process left, which is the point
    }
    expect(code).toBe(0);
    const applicationId = stdout.trim();
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect([ApplicationStatus.DEPLOYING, ApplicationStatus.RUNNING]).toContain(application!.status);
    const watched = await runCli(['watch', applicationId], controlPlane.env);
    expect(watched.stderr).toContain('application FINISHED');
    expect(watched.code).toBe(0);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('ends FAILED with the thrown message when main() throws after starting a long job, which is cancelled', async () => {
    const controlPlane = await startControlPlane();
    const { code, stdout, stderr } = await runCli(['run', '-D', '--follow', ...app('throws')], controlPlane.env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/application FAILED.*main\(\) gave up on purpose/);
    const events = await watchAll(controlPlane.client, stdout.trim(), 0, false);
    expect(finalStatus(events)).toBe(ApplicationStatus.FAILED);
    expect(jobStatuses(events).get('e2e-throws: long job')).toBe(JobStatus.CANCELED);
    const { application } = await controlPlane.client.getApplication({ applicationId: stdout.trim() });
    expect(application!.failure?.message).toBe('main() gave up on purpose');
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('ends FAILED saying the driver was lost when its task executor is killed; the other job is cancelled', async () => {
    const controlPlane = await startControlPlane();
    const run = await runCli(
      ['run', '-D', '--task-executors', '2', '--slots', '2', ...app('slow'), '100000', join(sharedDir(), 'out')],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    let jobmanager = '';
    let driverHost = '';
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
            if (
              event.kind?.$case === 'taskStateChanged' &&
              event.kind.taskStateChanged.vertexId === 'driver' &&
              event.kind.taskStateChanged.state === ExecutionState.RUNNING
            ) {
              driverHost = event.kind.taskStateChanged.taskExecutorId;
            }
          }
          return (
            jobStatuses(events).get('e2e-slow: slow job') === JobStatus.RUNNING &&
            driverHost !== '' &&
            jobmanager !== ''
          );
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
    const { clusterId } = (await controlPlane.client.getApplication({ applicationId })).application!;
    const { client: dispatcher } = connectClient(DispatcherServiceDefinition, jobmanager, {
      clusterSecret: recordedClusterSecret(controlPlane.stateDir, clusterId),
    });
    const overview = await dispatcher.requestClusterOverview({});
    const pid = overview.taskExecutorInfos.find((info) => info.id === driverHost)?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const events = await watchAll(controlPlane.client, applicationId, 0, true);
    expect(finalStatus(events)).toBe(ApplicationStatus.FAILED);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.failure?.name).toBe('DriverLostError');
    expect(application!.failure?.message).toMatch(/driver was lost/);
    expect(jobStatuses(events).get('e2e-slow: slow job')).toBe(JobStatus.CANCELED);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('fails a driver that allocates past --driver-heap-memory with a message naming the limit', async () => {
    const controlPlane = await startControlPlane();
    const { code, stderr } = await runCli(['run', '-D', '-Dhm', '64', '--follow', ...app('heaphog')], controlPlane.env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/application FAILED.*64 MiB/);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('runs two applications on one shared cluster, named by -m and by --cluster, and leaves the cluster running', async () => {
    const controlPlane = await startControlPlane();
    const started = await runCli(['cluster', 'start', '--task-executors', '1', '--slots', '4'], controlPlane.env);
    expect(started.code).toBe(0);
    const clusterId = started.stdout.trim();
    const { cluster } = await controlPlane.client.getCluster({ clusterId });
    const [first, second] = await Promise.all([
      runCli(
        ['run', '-D', '--follow', '-m', cluster!.jobmanagerAddress, EXAMPLE, '2', join(sharedDir(), 'a')],
        controlPlane.env,
      ),
      runCli(['run', '-D', '--follow', '--cluster', clusterId, EXAMPLE, '3', join(sharedDir(), 'b')], controlPlane.env),
    ]);
    expect(first.stderr).toContain('application FINISHED');
    expect(second.stderr).toContain('application FINISHED');
    expect([first.code, second.code]).toEqual([0, 0]);
    const after = await controlPlane.client.getCluster({ clusterId });
    expect(after.cluster!.status).toBe(ClusterStatus.RUNNING);
    expect(clusterProcesses(controlPlane.stateDir).length).toBe(2);
    const listed = await runCli(['cluster', 'list'], controlPlane.env);
    expect(listed.stdout).toMatch(new RegExp(`${clusterId}.*RUNNING`));
    expect((await runCli(['cluster', 'stop', clusterId], controlPlane.env)).code).toBe(0);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
  }, 180_000);

  it('gives a watcher that disconnects and resumes from its last sequence every event exactly once', async () => {
    const controlPlane = await startControlPlane();
    const run = await runCli(['run', '-D', ...app('slow'), '400', join(sharedDir(), 'out')], controlPlane.env);
    const applicationId = run.stdout.trim();
    const uninterrupted = watchAll(controlPlane.client, applicationId, 0, true);
    const resumed: ApplicationEvent[] = [];
    const abort = new AbortController();
    try {
      for await (const { event } of controlPlane.client.watchApplication(
        { applicationId, afterSequence: 0n, follow: true },
        { signal: abort.signal },
      )) {
        resumed.push(event!);
        if (resumed.length === 3) abort.abort();
      }
    } catch (error) {
      expect((error as Error).name).toBe('AbortError');
    }
    resumed.push(...(await watchAll(controlPlane.client, applicationId, Number(resumed.at(-1)!.sequence), true)));
    const all = await uninterrupted;
    expect(resumed.map((event) => event.sequence)).toEqual(all.map((event) => event.sequence));
    expect(resumed).toEqual(all);
    expect(all.map((event) => Number(event.sequence))).toEqual(all.map((_, index) => index + 1));
    expect(finalStatus(all)).toBe(ApplicationStatus.FINISHED);
  }, 120_000);
});
