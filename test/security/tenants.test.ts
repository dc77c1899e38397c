/**
 * Tenants on a real control plane with --auth-config: every call needs a bearer token, and tenant
 * B can neither see nor touch tenant A's application, jobs or cluster (by id they answer NOT_FOUND
 * exactly as unknown ids do; lists hold only one's own), while health and reflection stay open and
 * each tenant's limits (running applications, open streams) answer RESOURCE_EXHAUSTED naming them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createChannel, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClientServiceClient } from '../../generated/flotilla/v1/cluster_client_service.js';
import type { Application, Cluster } from '../../generated/flotilla/v1/resources.js';
import { ApplicationStatus, ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { uploadBundle } from '../../src/client/uploadBundle.js';
import { clusterInStatus, DRIVER_APP, driverRequest, endedApplication } from '../controlplane/controlPlaneTesting.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { securedClient, securedConnection, TOKEN_A, TOKEN_B, writeAuthConfig } from './securityTesting.js';

/** Reads a stream to its end. */
async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** The NOT_FOUND an unknown application id gets, for `id`. */
const unknownApplication = (id: string) => ({
  code: Status.NOT_FOUND,
  details: `application ${JSON.stringify(id)} is not known to this control plane`,
});
const unknownJob = (id: string) => ({
  code: Status.NOT_FOUND,
  details: `job ${JSON.stringify(id)} is not known to this control plane`,
});

describe('tenants of a control plane with --auth-config', () => {
  let controlPlane: TestControlPlane;
  let a: ClusterClientServiceClient;
  let b: ClusterClientServiceClient;
  let artifactId: string;
  let cluster: Cluster;
  let application: Application;

  beforeAll(async () => {
    const authConfig = writeAuthConfig({ a: { max_running_applications: 1 } });
    controlPlane = await startControlPlane(['--auth-config', authConfig, '--max-streams-per-caller', '2']);
    a = securedClient(controlPlane.address, { bearerToken: TOKEN_A });
    b = securedClient(controlPlane.address, { bearerToken: TOKEN_B });
    artifactId = (await uploadBundle(securedConnection(controlPlane.address, { bearerToken: TOKEN_A }), DRIVER_APP))
      .artifactId;
  });

  it('lets tenant A deploy a shared cluster and run an application on it', async () => {
    const deployed = await a.deployCluster({
      name: 'team-a shared',
      spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    cluster = await clusterInStatus(a, deployed.cluster!.id, ClusterStatus.RUNNING);
    const run = await a.runApplication(
      driverRequest(artifactId, {
        args: ['sleep', '600000'],
        requestId: 'same-request-id',
        cluster: { target: { $case: 'clusterId', clusterId: cluster.id } },
      }),
    );
    await expect
      .poll(async () => (await a.getApplication({ applicationId: run.application!.id })).application!.driverJobId, {
        timeout: 30_000,
        interval: 100,
      })
      .not.toBe('');
    application = (await a.getApplication({ applicationId: run.application!.id })).application!;
    expect(application.status).toBe(ApplicationStatus.RUNNING);
  });

  it('answers a call without a token, or with an unknown one, UNAUTHENTICATED saying how to pass one', async () => {
    await expect(
      controlPlane.client.listApplications({ pageSize: 0, pageToken: '', statuses: [] }),
    ).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      details: expect.stringContaining('pass a token with --token or FLOTILLA_TOKEN'),
    });
    const stranger = securedClient(controlPlane.address, { bearerToken: 'token-of-nobody-0123456789abcdef' });
    await expect(stranger.getApplication({ applicationId: application.id })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });
    await expect(
      drain(controlPlane.client.watchApplication({ applicationId: application.id, afterSequence: 0n, follow: false })),
    ).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });

    const refused = await runCli(['list'], controlPlane.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('this control plane needs a bearer token');
    const listed = await runCli(['list'], { ...controlPlane.env, FLOTILLA_TOKEN: TOKEN_A });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(application.id);
  });

  it('keeps health and reflection open, so grpcurl and buf curl list the services without a token', async () => {
    const channel = createChannel(controlPlane.address);
    try {
      expect(
        await createClient(HealthDefinition, channel).check({ service: 'flotilla.v1.ClusterClientService' }),
      ).toMatchObject({ status: 1 });
    } finally {
      channel.close();
    }
    const { stdout } = await promisify(execFile)(`${ROOT}node_modules/.bin/buf`, [
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '--list-services',
      `http://${controlPlane.address}`,
    ]);
    expect(stdout.split('\n')).toContain('flotilla.v1.ClusterClientService');
  });

  it("answers tenant B NOT_FOUND for tenant A's application, exactly as for an unknown id, and changes nothing", async () => {
    const id = application.id;
    await expect(b.getApplication({ applicationId: id })).rejects.toMatchObject(unknownApplication(id));
    await expect(b.getApplication({ applicationId: 'app-unknown' })).rejects.toMatchObject(
      unknownApplication('app-unknown'),
    );
    await expect(b.cancelApplication({ applicationId: id })).rejects.toMatchObject(unknownApplication(id));
    await expect(b.triggerSavepoint({ applicationId: id, jobId: '', targetDirectory: '/tmp' })).rejects.toMatchObject(
      unknownApplication(id),
    );
    await expect(b.stopApplication({ applicationId: id, targetDirectory: '/tmp' })).rejects.toMatchObject(
      unknownApplication(id),
    );
    await expect(
      drain(b.watchApplication({ applicationId: id, afterSequence: 0n, follow: true })),
    ).rejects.toMatchObject(unknownApplication(id));
    await expect(drain(b.readDriverLog({ applicationId: id, offset: 0n, follow: true }))).rejects.toMatchObject(
      unknownApplication(id),
    );
    await expect(b.reportClientHeartbeat({ applicationId: id })).rejects.toMatchObject(unknownApplication(id));
    await expect(b.completeClientMain({ applicationId: id, failure: undefined })).rejects.toMatchObject(
      unknownApplication(id),
    );

    const jobId = application.driverJobId;
    await expect(b.getJob({ jobId })).rejects.toMatchObject(unknownJob(jobId));
    await expect(b.cancelJob({ jobId })).rejects.toMatchObject(unknownJob(jobId));
    await expect(b.triggerSavepoint({ applicationId: '', jobId, targetDirectory: '/tmp' })).rejects.toMatchObject(
      unknownJob(jobId),
    );
    await expect(drain(b.requestJobResult({ jobId }))).rejects.toMatchObject(unknownJob(jobId));

    // A sees all of it, and it still runs.
    expect((await a.getApplication({ applicationId: id })).application!.status).toBe(ApplicationStatus.RUNNING);
    expect((await a.getJob({ jobId })).job!.id).toBe(jobId);
    expect(
      (await drain(a.watchApplication({ applicationId: id, afterSequence: 0n, follow: false }))).length,
    ).toBeGreaterThan(0);
  });

  it("answers tenant B NOT_FOUND for tenant A's shared cluster, and B cannot run on it", async () => {
    const unknownCluster = {
      code: Status.NOT_FOUND,
      details: expect.stringContaining(`cluster ${JSON.stringify(cluster.id)} is not known to this control plane`),
    };
    await expect(b.getCluster({ clusterId: cluster.id })).rejects.toMatchObject(unknownCluster);
    await expect(b.shutDownCluster({ clusterId: cluster.id })).rejects.toMatchObject(unknownCluster);
    await expect(
      b.runApplication(
        driverRequest(artifactId, { cluster: { target: { $case: 'clusterId', clusterId: cluster.id } } }),
      ),
    ).rejects.toMatchObject(unknownCluster);
    expect((await a.getCluster({ clusterId: cluster.id })).cluster!.status).toBe(ClusterStatus.RUNNING);
  });

  it("lists only the tenant's own applications, clusters and jobs, and keeps request ids apart", async () => {
    // B's application, with the request id A used: a new application of B's, on a job manager nobody listens at.
    const { application: ofB, deduplicated } = await b.runApplication(
      driverRequest(artifactId, {
        requestId: 'same-request-id',
        cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: '127.0.0.1:9' } },
      }),
    );
    expect(deduplicated).toBe(false);
    expect(ofB!.id).not.toBe(application.id);
    await endedApplication(b, ofB!.id);

    const ids = (page: { applications: Application[] }) => page.applications.map((listed) => listed.id);
    expect(ids(await b.listApplications({ pageSize: 0, pageToken: '', statuses: [] }))).toEqual([ofB!.id]);
    expect(ids(await a.listApplications({ pageSize: 0, pageToken: '', statuses: [] }))).toEqual([application.id]);
    expect((await b.listClusters({ pageSize: 0, pageToken: '', statuses: [] })).clusters).toEqual([]);
    expect(
      (await a.listClusters({ pageSize: 0, pageToken: '', statuses: [] })).clusters.map((listed) => listed.id),
    ).toEqual([cluster.id]);
    expect((await b.listJobs({ pageSize: 0, pageToken: '', applicationId: '', clusterId: '' })).jobs).toEqual([]);
    expect(
      (await b.listJobs({ pageSize: 0, pageToken: '', applicationId: application.id, clusterId: cluster.id })).jobs,
    ).toEqual([]);
    expect(
      (await a.listJobs({ pageSize: 0, pageToken: '', applicationId: '', clusterId: '' })).jobs.map((job) => job.id),
    ).toEqual([application.driverJobId]);
    await expect(a.getApplication({ applicationId: ofB!.id })).rejects.toMatchObject(unknownApplication(ofB!.id));
  });

  it("refuses a tenant's application past its max_running_applications with RESOURCE_EXHAUSTED naming the setting", async () => {
    await expect(a.runApplication(driverRequest(artifactId, { args: ['sleep', '1'] }))).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(
        'tenant team-a already runs 1 application(s), the most it may (max_running_applications of tenant team-a in the auth config: 1)',
      ),
    });
  });

  it('bounds the streams each tenant holds open, not those of the other tenants', async () => {
    const controller = new AbortController();
    const watch = (client: ClusterClientServiceClient, applicationId: string) =>
      client
        .watchApplication({ applicationId, afterSequence: 0n, follow: true }, { signal: controller.signal })
        [Symbol.asyncIterator]()
        .next();
    // Each watch has answered its first event, so both are open.
    const open = [await watch(a, application.id), await watch(a, application.id)];
    expect(open.every((first) => !first.done)).toBe(true);
    await expect(watch(a, application.id)).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(
        'tenant team-a already has 2 streams open on this server, the most one caller may (--max-streams-per-caller 2)',
      ),
    });
    const [ofB] = (await b.listApplications({ pageSize: 1, pageToken: '', statuses: [] })).applications;
    expect(
      (await drain(b.watchApplication({ applicationId: ofB.id, afterSequence: 0n, follow: true }))).length,
    ).toBeGreaterThan(0);
    controller.abort();
  });

  it('lets the owner cancel its application and stop its cluster', async () => {
    await a.cancelApplication({ applicationId: application.id });
    expect((await endedApplication(a, application.id)).status).toBe(ApplicationStatus.CANCELED);
    await a.shutDownCluster({ clusterId: cluster.id });
    await clusterInStatus(a, cluster.id, ClusterStatus.STOPPED);
  });
});
