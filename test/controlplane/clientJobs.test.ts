/**
 * The job RPCs of the control plane for client-side main()s (session mode), on real processes:
 * SubmitJob with a request id runs one job however often it arrives, GetJob, ListJobs and
 * RequestJobResult answer for it, CompleteClientMain ends the application, and every misuse is
 * refused with a status that says what to do.
 */
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, ClusterStatus, JobStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { ExecutionEnvironment } from '../../src/api/ExecutionEnvironment.js';
import { bundleFunctionCapturer } from '../../src/api/functions/bundleFunctionCapturer.js';
import { FakeJobSubmitter } from '../../src/api/testing/FakeJobSubmitter.js';
import type { JobGraph } from '../../src/jobgraph/jobGraph.js';
import { jobGraphToMessage } from '../../src/runtime/service/jobGraph.js';
import { sharedDir } from '../support/tempDir.js';
import {
  clusterInStatus,
  DRIVER_APP,
  driverRequest,
  endedApplication,
  startTestControlPlane,
  uploadDriverApp,
  type TestControlPlane,
} from './controlPlaneTesting.js';

/** The graph of a job without user functions (a generated sequence written to files), built by the SDK for the bundle `artifactId`. */
async function sequenceJob(artifactId: string, name: string): Promise<JobGraph> {
  const submitter = new FakeJobSubmitter();
  const env = new ExecutionEnvironment({
    submitter,
    captureFunction: bundleFunctionCapturer(DRIVER_APP),
    bundle: { artifactId },
  });
  env.generateSequence(1, 1000).writeAsText(sharedDir(), { overwrite: true });
  await env.executeAsync(name);
  return submitter.onlyGraph;
}

describe('client-side jobs through the control plane', () => {
  let controlPlane: TestControlPlane;
  let artifactId: string;
  let clusterId: string;

  beforeAll(async () => {
    controlPlane = await startTestControlPlane();
    artifactId = await uploadDriverApp(controlPlane.process.address);
    const { cluster } = await controlPlane.client.deployCluster({
      name: 'shared',
      spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    clusterId = cluster!.id;
  }, 60_000);

  afterAll(async () => {
    await controlPlane.client.shutDownCluster({ clusterId });
    for (let waited = 0; waited < 10_000; waited += 100) {
      if ((await controlPlane.client.getCluster({ clusterId })).cluster!.status === ClusterStatus.STOPPED) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await controlPlane.stop();
  }, 30_000);

  const sessionRequest = (requestId = '') =>
    driverRequest(artifactId, {
      mode: SubmissionMode.SESSION,
      requestId,
      cluster: { target: { $case: 'clusterId', clusterId } },
    });

  async function runningSession(): Promise<string> {
    await clusterInStatus(controlPlane.client, clusterId, ClusterStatus.RUNNING);
    const { application } = await controlPlane.client.runApplication(sessionRequest());
    await expect
      .poll(
        async () => (await controlPlane.client.getApplication({ applicationId: application!.id })).application!.status,
        { timeout: 30_000 },
      )
      .toBe(ApplicationStatus.RUNNING);
    return application!.id;
  }

  it('runs one job for a request id sent twice at once and again later, answers for it, and ends the application when main() reports its end', async () => {
    const { client } = controlPlane;
    const applicationId = await runningSession();
    const request = {
      applicationId,
      jobGraph: jobGraphToMessage(await sequenceJob(artifactId, 'numbers')),
      requestId: 'submit-1',
    };
    const [first, second] = await Promise.all([client.submitJob(request), client.submitJob(request)]);
    expect(second).toEqual(first);
    expect(first.clusterId).toBe(clusterId);
    expect(await client.submitJob(request)).toEqual(first);

    const parts = [];
    for await (const { part } of client.requestJobResult({ jobId: first.jobId })) parts.push(part);
    expect(parts.at(-1)).toMatchObject({ $case: 'result', result: { jobId: first.jobId, status: JobStatus.FINISHED } });
    const { job } = await client.getJob({ jobId: first.jobId });
    expect(job).toMatchObject({
      id: first.jobId,
      name: 'numbers',
      applicationId,
      clusterId,
      status: JobStatus.FINISHED,
    });
    const { jobs } = await client.listJobs({ applicationId, pageSize: 0, pageToken: '', clusterId: '' });
    expect(jobs.map((listed) => listed.id)).toEqual([first.jobId]);

    expect((await client.completeClientMain({ applicationId, failure: undefined })).application).toBeDefined();
    expect((await endedApplication(client, applicationId)).status).toBe(ApplicationStatus.FINISHED);
    await expect(client.submitJob({ ...request, requestId: 'submit-2' })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining('accepts jobs only while RUNNING'),
    });
  }, 60_000);

  it('creates one application for a RunApplication request id sent twice at once', async () => {
    await clusterInStatus(controlPlane.client, clusterId, ClusterStatus.RUNNING);
    const request = sessionRequest('run-twice');
    const [first, second] = await Promise.all([
      controlPlane.client.runApplication(request),
      controlPlane.client.runApplication(request),
    ]);
    expect(second.application!.id).toBe(first.application!.id);
    expect([first.deduplicated, second.deduplicated].sort()).toEqual([false, true]);
    await controlPlane.client.cancelApplication({ applicationId: first.application!.id });
    expect((await endedApplication(controlPlane.client, first.application!.id)).status).toBe(
      ApplicationStatus.CANCELED,
    );
  }, 60_000);

  it('refuses misuse with statuses that say what to do', async () => {
    const { client } = controlPlane;
    await expect(
      client.runApplication(driverRequest(artifactId, { mode: SubmissionMode.SESSION })),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('SESSION mode runs the jobs on a cluster you name'),
    });
    await expect(
      client.runApplication(
        driverRequest(artifactId, {
          mode: SubmissionMode.PER_JOB,
          cluster: { target: { $case: 'clusterId', clusterId } },
        }),
      ),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('PER_JOB mode deploys a new cluster for every job'),
    });
    const applicationId = await runningSession();
    const otherBundle = jobGraphToMessage(await sequenceJob('b'.repeat(64), 'elsewhere'));
    await expect(client.submitJob({ applicationId, jobGraph: otherBundle, requestId: '' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining("job_graph.bundle must name the application's bundle"),
    });
    await expect(client.submitJob({ applicationId, jobGraph: undefined, requestId: '' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('job_graph is required'),
    });
    await expect(client.getJob({ jobId: 'job-nope' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('job "job-nope" is not known'),
    });
    await expect(
      client.listJobs({ applicationId: '', pageSize: 0, pageToken: 'bogus', clusterId: '' }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(client.completeClientMain({ applicationId: 'app-nope', failure: undefined })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });

    const thrown = { name: 'Error', message: 'main() could not go on', stack: '', cause: undefined };
    const { application } = await client.completeClientMain({ applicationId, failure: thrown });
    expect(application!.status).toBe(ApplicationStatus.FAILED);
    expect(application!.failure?.message).toBe('main() could not go on');

    const { application: driver } = await client.runApplication(
      driverRequest(artifactId, { cluster: { target: { $case: 'clusterId', clusterId } }, args: ['sleep', '60000'] }),
    );
    await expect(client.completeClientMain({ applicationId: driver!.id, failure: undefined })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining('runs in DRIVER mode'),
    });
    await expect(
      client.submitJob({ applicationId: driver!.id, jobGraph: otherBundle, requestId: '' }),
    ).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining('SubmitJob is for SESSION and PER_JOB'),
    });
    await client.cancelApplication({ applicationId: driver!.id });
    await endedApplication(client, driver!.id);
  }, 60_000);
});
