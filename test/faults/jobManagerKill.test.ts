/**
 * Fault: `kill -9` of the job manager of an owned cluster while its driver-mode application runs a
 * job. Promised: the application ends FAILED with a cause saying its cluster was lost, the cluster
 * is recorded FAILED, and no process of the cluster remains. The task executors do not need the
 * control plane for that: with the control plane frozen (SIGSTOP) while the job manager dies, each
 * task executor gives up by itself once its job manager has been unreachable for its
 * `--jobmanager-timeout`, and says so in its log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, ClusterStatus, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { clusterProcesses } from '../support/controlPlane.js';
import { ROOT } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';
import {
  clusterInStatus,
  driverRequest,
  endedApplication,
  isRunning,
  recordedProcesses,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
  type TestControlPlane,
} from '../controlplane/controlPlaneTesting.js';

/** The end-to-end applications' bundle; `slow.js#main` runs a job of args[0] records at 5 ms each. */
const APPS = join(ROOT, 'test/e2e/fixtures/apps');
/** What `flotilla taskexecutor` waits for an unreachable job manager (its --jobmanager-timeout default, which the local target keeps). */
const JOBMANAGER_TIMEOUT_MS = 10_000;
/** Room on top of a timeout for a loaded two-core machine; never a measure of speed. */
const SLACK_MS = 30_000;

let controlPlane: TestControlPlane;
let artifactId: string;

beforeAll(async () => {
  controlPlane = await startTestControlPlane();
  artifactId = await uploadDriverApp(controlPlane.process.address, APPS);
});
afterAll(async () => {
  controlPlane.process.child.kill('SIGCONT');
  await controlPlane?.stop();
});

/**
 * Starts the slow application on an owned cluster of two task executors and waits until its job
 * (not only the driver) runs; resolves with the application's id, its cluster and its processes.
 */
async function applicationWithRunningJob(): Promise<{
  applicationId: string;
  clusterId: string;
  jobManager: number;
  taskExecutors: { pid: number; log_file: string }[];
}> {
  const { client, stateDir } = controlPlane;
  const { application } = await client.runApplication(
    driverRequest(artifactId, {
      name: 'slow',
      entry: 'slow.js#main',
      args: ['100000', join(sharedDir(), 'out')],
      cluster: {
        target: {
          $case: 'deploy',
          deploy: { taskExecutors: 2, slotsPerTaskExecutor: 2, taskExecutorResources: undefined, properties: {} },
        },
      },
    }),
  );
  const applicationId = application!.id;
  await expect
    .poll(
      async () =>
        (await watchAll(client, applicationId, 0, false)).some(
          (event) =>
            event.kind?.$case === 'jobStatusChanged' &&
            event.kind.jobStatusChanged.livingPriority !== LivingPriority.DRIVER &&
            event.kind.jobStatusChanged.status === JobStatus.RUNNING,
        ),
      { timeout: 60_000, interval: 200 },
    )
    .toBe(true);
  const { clusterId } = (await client.getApplication({ applicationId })).application!;
  const processes = recordedProcesses(stateDir, clusterId);
  const taskExecutors = processes.filter((process) => process.role === 'taskexecutor');
  expect(taskExecutors).toHaveLength(2);
  for (const process of processes) expect(isRunning(process.pid)).toBe(true);
  return {
    applicationId,
    clusterId,
    jobManager: processes.find((process) => process.role === 'jobmanager')!.pid,
    taskExecutors,
  };
}

describe('kill -9 of an owned cluster’s job manager mid-application', () => {
  it('ends the application FAILED saying its cluster was lost, and leaves no process of the cluster', async () => {
    const { client, stateDir } = controlPlane;
    const { applicationId, clusterId, jobManager, taskExecutors } = await applicationWithRunningJob();
    process.kill(jobManager, 'SIGKILL');

    const ended = await endedApplication(client, applicationId, JOBMANAGER_TIMEOUT_MS + SLACK_MS);
    expect(ended.status).toBe(ApplicationStatus.FAILED);
    expect(ended.failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(`cluster ${clusterId} was lost`),
    });
    const cluster = await clusterInStatus(client, clusterId, ClusterStatus.FAILED);
    expect(cluster.failure?.name).toBe('ClusterLostError');
    await expect
      .poll(() => taskExecutors.filter((process) => isRunning(process.pid)).length, {
        timeout: JOBMANAGER_TIMEOUT_MS + SLACK_MS,
        interval: 200,
      })
      .toBe(0);
    expect(clusterProcesses(stateDir)).toEqual([]);
  });

  it('task executors exit by themselves within their --jobmanager-timeout when nobody stops them', async () => {
    const { client, stateDir } = controlPlane;
    const { applicationId, clusterId, jobManager, taskExecutors } = await applicationWithRunningJob();
    // Frozen, the control plane can neither notice the loss nor stop what is left of the cluster.
    controlPlane.process.child.kill('SIGSTOP');
    try {
      process.kill(jobManager, 'SIGKILL');
      await expect
        .poll(() => taskExecutors.filter((process) => isRunning(process.pid)).length, {
          timeout: JOBMANAGER_TIMEOUT_MS + SLACK_MS,
          interval: 200,
        })
        .toBe(0);
      expect(clusterProcesses(stateDir)).toEqual([]);
    } finally {
      controlPlane.process.child.kill('SIGCONT');
    }
    for (const { log_file } of taskExecutors) {
      expect(readFileSync(log_file, 'utf8')).toMatch(
        new RegExp(`giving up: job manager at \\S+ unreachable for \\d+ ms \\(timeout ${JOBMANAGER_TIMEOUT_MS} ms\\)`),
      );
    }

    // Thawed, the control plane finds the job manager gone and ends the application with that cause.
    const ended = await endedApplication(client, applicationId, JOBMANAGER_TIMEOUT_MS + SLACK_MS);
    expect(ended.status).toBe(ApplicationStatus.FAILED);
    expect(ended.failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(`cluster ${clusterId} was lost`),
    });
    await clusterInStatus(client, clusterId, ClusterStatus.FAILED);
  });
});
