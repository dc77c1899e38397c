/**
 * The limits of real servers, each answered RESOURCE_EXHAUSTED naming it: the largest message
 * (--max-message-bytes), streams one caller holds open (--max-streams-per-caller, per client host
 * on a server without tokens), running applications (--max-applications-per-tenant, the single
 * tenant of a control plane without tokens) and bundle size (--max-artifact-bytes).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { driverRequest, endedApplication, uploadDriverApp } from '../controlplane/controlPlaneTesting.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { runCli, startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { clientForTest } from './securityTesting.js';

describe('limits of a control plane', () => {
  let controlPlane: TestControlPlane;
  // The cluster of a session application below: a job manager of its own, listed for -m.
  let jobmanager: ServerProcess;

  beforeAll(async () => {
    jobmanager = await startServer('jobmanager');
    controlPlane = await startControlPlane([
      '--external-jobmanager',
      jobmanager.address,
      '--max-message-bytes',
      '65536',
      '--max-applications-per-tenant',
      '1',
      '--max-artifact-bytes',
      '16384',
    ]);
  });

  it('refuses a message larger than --max-message-bytes with RESOURCE_EXHAUSTED naming the limit in bytes', async () => {
    await expect(controlPlane.client.getApplication({ applicationId: 'x'.repeat(100_000) })).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/larger than max \(\d+ vs 65536\)/),
    });
    // The server goes on answering.
    await expect(controlPlane.client.getApplication({ applicationId: 'app-unknown' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
  });

  it('refuses a bundle larger than --max-artifact-bytes with RESOURCE_EXHAUSTED naming the limit', async () => {
    const bundle = join(tempDir(), 'big-bundle');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'package.json'), JSON.stringify({ name: 'big', version: '1.0.0', main: 'main.js' }));
    writeFileSync(join(bundle, 'main.js'), 'export async function main() {}\n');
    // Random bytes do not compress, so the packed bundle stays larger than the limit.
    writeFileSync(join(bundle, 'data.bin'), randomBytes(64 * 1024));
    const upload = await runCli(['upload', bundle], controlPlane.env);
    expect(upload.code).toBe(1);
    expect(upload.stderr).toMatch(/accepts at most 16384 \(--max-artifact-bytes\)/);
  });

  it('refuses an application past --max-applications-per-tenant with RESOURCE_EXHAUSTED naming the limit', async () => {
    const artifactId = await uploadDriverApp(controlPlane.address);
    // A session application stays RUNNING until its client-side main() reports its end; its cluster is a job manager of its own.
    const session = driverRequest(artifactId, {
      mode: SubmissionMode.SESSION,
      cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: jobmanager.address } },
    });
    const { application } = await controlPlane.client.runApplication(session);
    await expect(controlPlane.client.runApplication(driverRequest(artifactId))).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(
        'this control plane already runs 1 application(s), the most it may (--max-applications-per-tenant: 1)',
      ),
    });
    const status = async () =>
      ApplicationStatus[
        (await controlPlane.client.getApplication({ applicationId: application!.id })).application!.status
      ];
    await expect.poll(status, { timeout: 30_000, interval: 100 }).toBe('RUNNING');
    await controlPlane.client.completeClientMain({ applicationId: application!.id, failure: undefined });
    await endedApplication(controlPlane.client, application!.id);
    await jobmanager.stop();
  });
});

describe('limits of a job manager', () => {
  it('bounds the streams one client host holds open with --max-streams-per-caller', async () => {
    const jobmanager = await startServer('jobmanager', ['--max-streams-per-caller', '2']);
    const health = clientForTest(HealthDefinition, jobmanager.address);
    const controller = new AbortController();
    const watch = (signal = controller.signal) =>
      health.watch({ service: '' }, { signal })[Symbol.asyncIterator]().next();
    // Each watch has answered its first status, so both are open.
    expect((await Promise.all([watch(), watch()])).every((first) => !first.done)).toBe(true);
    await expect(watch()).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(
        'peer 127.0.0.1 already has 2 streams open on this server, the most one caller may (--max-streams-per-caller 2)',
      ),
    });
    controller.abort();
    // Once they are closed, a new one is taken.
    const later = new AbortController();
    await expect
      .poll(async () => !(await watch(later.signal).catch(() => ({ done: true }))).done, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
    later.abort();
    await jobmanager.stop();
  });
});
