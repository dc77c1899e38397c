/**
 * Driver mode end to end, on real processes: a bundle's main() runs as a driver job in a cluster
 * the control plane deploys for it, runs a job of its own, and the application ends FINISHED with
 * its owned cluster gone; a main() that throws ends FAILED with the user's error; cancelling a
 * running driver ends CANCELED. These need the driver side of the job manager and task executor
 * (src/driver, the DriverDispatcher rules).
 */
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, ClusterStatus, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import {
  clusterInStatus,
  controlPlaneForFile,
  describeEvent,
  driverRequest,
  endedApplication,
  isRunning,
  killGroup,
  recordedProcesses,
  watchAll,
} from './controlPlaneTesting.js';

describe('driver mode', () => {
  const shared = controlPlaneForFile();

  it('runs main() as a driver that runs a job, ends FINISHED, and its owned cluster is gone afterwards', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(
      driverRequest(artifactId, { name: 'squares', args: ['squares', '100'], parallelism: 2 }),
    );
    const events = await watchAll(client, application!.id, 0, true);
    const ended = (await client.getApplication({ applicationId: application!.id })).application!;
    expect(ended.failure).toBeUndefined();
    expect(ended.status).toBe(ApplicationStatus.FINISHED);
    expect(describeEvent(events.at(-1)!)).toBe('application FINISHED');

    // The driver job and the job main() submitted both appear, with the application's name as prefix.
    const jobs = events.flatMap((event) =>
      event.kind?.$case === 'jobStatusChanged' ? [event.kind.jobStatusChanged] : [],
    );
    const driver = jobs.filter((job) => job.livingPriority === LivingPriority.DRIVER);
    const others = jobs.filter((job) => job.livingPriority !== LivingPriority.DRIVER);
    expect(driver.at(-1)).toMatchObject({
      jobId: ended.driverJobId,
      jobName: 'squares: driver',
      status: JobStatus.FINISHED,
    });
    expect(others.at(-1)).toMatchObject({ status: JobStatus.FINISHED, jobName: expect.stringMatching(/^squares: /) });
    expect(ended.jobIds).toEqual([...new Set(others.map((job) => job.jobId))]);

    await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
    for (const process of recordedProcesses(stateDir, ended.clusterId)) expect(isRunning(process.pid)).toBe(false);
  });

  it('ends FAILED with the user’s error when main() throws', async () => {
    const {
      controlPlane: { client },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['throw'] }));
    const ended = await endedApplication(client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.FAILED);
    expect(ended.failure).toMatchObject({ name: 'RangeError', message: 'the application failed on purpose' });
    await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
  });

  it('cancelling a running driver ends the application CANCELED and stops its cluster', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['sleep', '120000'] }));
    await expect
      .poll(async () => (await client.getApplication({ applicationId: application!.id })).application!.status, {
        timeout: 30_000,
      })
      .toBe(ApplicationStatus.RUNNING);
    await client.cancelApplication({ applicationId: application!.id });
    const ended = await endedApplication(client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.CANCELED);
    await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
    for (const process of recordedProcesses(stateDir, ended.clusterId)) expect(isRunning(process.pid)).toBe(false);
  });

  it('ends a running application FAILED, saying its cluster was lost, when the job manager dies', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['sleep', '120000'] }));
    await expect
      .poll(async () => (await client.getApplication({ applicationId: application!.id })).application!.status, {
        timeout: 30_000,
      })
      .toBe(ApplicationStatus.RUNNING);
    const { clusterId } = (await client.getApplication({ applicationId: application!.id })).application!;
    const processes = recordedProcesses(stateDir, clusterId);
    killGroup(processes.find((process) => process.role === 'jobmanager')!.pid);

    const ended = await endedApplication(client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.FAILED);
    expect(ended.failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringContaining(`cluster ${clusterId} was lost`),
    });
    const cluster = await clusterInStatus(client, clusterId, ClusterStatus.FAILED);
    expect(cluster.failure?.name).toBe('ClusterLostError');
    await expect.poll(() => processes.filter((process) => isRunning(process.pid)).length, { timeout: 10_000 }).toBe(0);
  });
});
