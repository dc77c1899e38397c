/**
 * The three server processes, started for real: each serves its service with reflection and
 * health, answers RPCs that are not built yet with UNIMPLEMENTED, and shuts down cleanly.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createChannel, createClient, ClientError, Status } from 'nice-grpc';
import {
  HealthDefinition,
  HealthCheckResponse_ServingStatus,
} from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../generated/flotilla/v1/dispatcher_service.js';
import { TaskExecutorServiceDefinition } from '../generated/flotilla/v1/task_executor_service.js';
import { ROOT, startServer, type ServerProcess } from './support/processes.js';
import { tempDir } from './support/tempDir.js';

const run = promisify(execFile);

async function listServices(address: string): Promise<string[]> {
  const { stdout } = await run(`${ROOT}node_modules/.bin/buf`, [
    'curl',
    '--protocol',
    'grpc',
    '--http2-prior-knowledge',
    '--list-services',
    `http://${address}`,
  ]);
  return stdout.trim().split('\n').sort();
}

describe('flotilla servers', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('control plane, job manager and task executor each list their service, reflection and health under buf curl', async () => {
    const controlplane = await startServer('controlplane', ['--state-dir', tempDir()]);
    const jobmanager = await startServer('jobmanager');
    const taskexecutor = await startServer('taskexecutor', ['--jobmanager', jobmanager.address]);
    servers.push(controlplane, jobmanager, taskexecutor);
    const common = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'];
    expect(await listServices(controlplane.address)).toEqual(['flotilla.v1.ClusterClientService', ...common]);
    expect(await listServices(jobmanager.address)).toEqual(['flotilla.v1.DispatcherService', ...common]);
    expect(await listServices(taskexecutor.address)).toEqual(['flotilla.v1.TaskExecutorService', ...common]);
  });

  it('describes its messages through reflection, so buf curl can call an RPC by name', async () => {
    const controlplane = await startServer('controlplane', ['--state-dir', tempDir()]);
    servers.push(controlplane);
    const { stdout } = await run(`${ROOT}node_modules/.bin/buf`, [
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '-d',
      '{"service":"flotilla.v1.ClusterClientService"}',
      `http://${controlplane.address}/grpc.health.v1.Health/Check`,
    ]);
    expect(JSON.parse(stdout)).toEqual({ status: 'SERVING' });
  });

  it('answers requests for things that do not exist, or malformed streams, with a status that says so', async () => {
    const jobmanager = await startServer('jobmanager');
    const taskexecutor = await startServer('taskexecutor', ['--jobmanager', jobmanager.address]);
    servers.push(jobmanager, taskexecutor);
    const dispatcher = createClient(DispatcherServiceDefinition, createChannel(jobmanager.address));
    const error = await dispatcher.getJob({ jobId: 'job-1' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(Status.NOT_FOUND);
    expect((error as ClientError).details).toMatch(/job-1/);

    const worker = createClient(TaskExecutorServiceDefinition, createChannel(taskexecutor.address));
    const streamed = (async () => {
      for await (const message of worker.exchangeData((async function* () {})())) void message;
    })();
    await expect(streamed).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('on SIGTERM ends open streams with UNAVAILABLE and exits 0 within 2 s', async () => {
    const controlplane = await startServer('controlplane', ['--state-dir', tempDir()]);
    const health = createClient(HealthDefinition, createChannel(controlplane.address));
    const statuses: HealthCheckResponse_ServingStatus[] = [];
    const watching = (async () => {
      for await (const response of health.watch({ service: 'flotilla.v1.ClusterClientService' }))
        statuses.push(response.status);
    })().then(
      () => 'ended without a status',
      (error: unknown) => error,
    );
    await expect.poll(() => statuses.length).toBeGreaterThan(0);
    expect(statuses[0]).toBe(HealthCheckResponse_ServingStatus.SERVING);

    const started = Date.now();
    const code = await controlplane.stop('SIGTERM');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).toBe(0);
    expect(await watching).toMatchObject({ code: Status.UNAVAILABLE });
    expect(controlplane.stderr()).toContain('shutting down');
    expect(controlplane.stderr()).not.toMatch(/"level":"(error|fatal)"/);
  });

  it('says at start that it listens on loopback only when bound to 127.0.0.1', async () => {
    const jobmanager = await startServer('jobmanager');
    servers.push(jobmanager);
    expect(jobmanager.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(jobmanager.stderr()).not.toContain('non-loopback');
  });
});
