/**
 * Cluster membership on real processes: a job manager and a task executor started with a cluster
 * secret take calls only from callers that present it (UNAUTHENTICATED otherwise, health excepted),
 * and present it themselves, so a task executor with the secret joins and one without is refused.
 * A server asked to listen beyond loopback without TLS and authentication refuses to start unless
 * --insecure-bind is given; with TLS and a secret it listens anywhere.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { TaskExecutorServiceDefinition } from '../../generated/flotilla/v1/task_executor_service.js';
import type { ClientSecurity } from '../../src/rpc/security/ClientSecurity.js';
import { makeTestCertificates } from '../support/certificates.js';
import { runCli, startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { clientForTest } from './securityTesting.js';

const SECRET = 'the-secret-of-this-test-cluster-0123';

describe('a cluster with a secret', () => {
  let jobmanager: ServerProcess;
  const dispatcher = (security: ClientSecurity) =>
    clientForTest(DispatcherServiceDefinition, jobmanager.address, security);

  beforeAll(async () => {
    jobmanager = await startServer('jobmanager', [], { FLOTILLA_CLUSTER_SECRET: SECRET });
  });

  afterAll(async () => {
    await jobmanager?.stop();
  });

  it('answers a call to the job manager without the secret, or with another, UNAUTHENTICATED', async () => {
    await expect(dispatcher({}).requestClusterOverview({})).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      details: expect.stringContaining('this job manager accepts calls only from members of its cluster'),
    });
    await expect(
      dispatcher({ clusterSecret: 'the-secret-of-another-cluster-0123' }).requestClusterOverview({}),
    ).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect((await dispatcher({ clusterSecret: SECRET }).requestClusterOverview({})).taskExecutors).toBe(0);
    const health = clientForTest(HealthDefinition, jobmanager.address);
    expect(await health.check({ service: 'flotilla.v1.DispatcherService' })).toMatchObject({ status: 1 });
    expect(jobmanager.stderr()).toContain('listening on loopback only');
  });

  it('lets a task executor with the secret join, and refuses its calls without it', async () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const taskexecutor = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--cluster-secret-file',
      file,
    ]);
    await expect
      .poll(async () => (await dispatcher({ clusterSecret: SECRET }).requestClusterOverview({})).taskExecutors, {
        timeout: 20_000,
        interval: 100,
      })
      .toBe(1);
    const worker = (security: ClientSecurity) =>
      clientForTest(TaskExecutorServiceDefinition, taskexecutor.address, security);
    await expect(worker({}).shutDown({ reason: 'a stranger asks' })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      details: expect.stringContaining('this task executor accepts calls only from members of its cluster'),
    });
    expect(taskexecutor.child.exitCode).toBeNull();
    await taskexecutor.stop();
  });

  it('refuses a task executor without the secret: it gives up saying why', async () => {
    const stranger = await startServer('taskexecutor', [
      '--jobmanager',
      jobmanager.address,
      '--jobmanager-timeout',
      '1500',
    ]);
    expect(await new Promise((resolve) => stranger.child.once('exit', resolve))).toBe(1);
    expect(stranger.stderr()).toContain('accepts calls only from members of its cluster');
    const registered = (await dispatcher({ clusterSecret: SECRET }).requestClusterOverview({})).taskExecutorInfos.map(
      (info) => info.pid,
    );
    expect(registered).not.toContain(stranger.child.pid);
  });
});

describe('listening beyond loopback', () => {
  it('is refused without TLS and authentication, naming the flags that secure each server', async () => {
    const state = tempDir();
    const cases: [string[], string][] = [
      [['jobmanager', '--listen', '0.0.0.0:0'], '--tls-cert, --tls-key and --cluster-secret-file'],
      [
        ['taskexecutor', '--listen', '0.0.0.0:0', '--jobmanager', '127.0.0.1:9'],
        '--tls-cert, --tls-key and --cluster-secret-file',
      ],
      [['controlplane', '--listen', '0.0.0.0:0', '--state-dir', state], '--tls-cert, --tls-key and --auth-config'],
    ];
    for (const [args, flags] of cases) {
      const refused = await runCli(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('refusing to listen on 0.0.0.0 without TLS and authentication');
      expect(refused.stderr).toContain(`Secure it with ${flags}`);
      expect(refused.stderr).toContain('--insecure-bind');
    }
    const secretOnly = await runCli(['jobmanager', '--listen', '0.0.0.0:0'], { FLOTILLA_CLUSTER_SECRET: SECRET });
    expect(secretOnly.code).toBe(2);
    expect(secretOnly.stderr).toContain('refusing to listen on 0.0.0.0 without TLS:');
  });

  it('is allowed with --insecure-bind, with a loud warning', async () => {
    const jobmanager = await startServer('jobmanager', ['--listen', '0.0.0.0:0', '--insecure-bind']);
    expect(jobmanager.address).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(jobmanager.stderr()).toContain(
      'INSECURE: listening on 0.0.0.0 without TLS or authentication (--insecure-bind)',
    );
    await jobmanager.stop();
  });

  it('is allowed with TLS and a cluster secret', async () => {
    const certificates = makeTestCertificates();
    const jobmanager = await startServer(
      'jobmanager',
      ['--listen', '0.0.0.0:0', '--tls-cert', certificates.certFile, '--tls-key', certificates.keyFile],
      {
        FLOTILLA_CLUSTER_SECRET: SECRET,
      },
    );
    const port = jobmanager.address.split(':').pop();
    const secured = clientForTest(DispatcherServiceDefinition, `127.0.0.1:${port}`, {
      tls: { caPem: certificates.caPem },
      clusterSecret: SECRET,
    });
    expect((await secured.requestClusterOverview({})).taskExecutors).toBe(0);
    expect(jobmanager.stderr()).not.toContain('INSECURE');
    await jobmanager.stop();
  });
});
