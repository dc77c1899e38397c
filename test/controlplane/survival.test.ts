/**
 * Clusters outlive their control plane: an application's owned cluster keeps running when the
 * control plane is stopped (SIGTERM) or killed (SIGKILL), and a control plane started again on the
 * same state dir picks the application up where it was, follows it, and tears its cluster down
 * when it ends.
 */
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { ApplicationStatus, ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { LOCAL_CLUSTER_HEARTBEATS } from '../../src/deployment/local/LocalDeploymentTarget.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { tempDir } from '../support/tempDir.js';
import {
  clusterInStatus,
  describeEvent,
  driverRequest,
  endedApplication,
  isRunning,
  recordedClusterSecret,
  recordedProcesses,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
} from './controlPlaneTesting.js';

describe('clusters outlive the control plane', () => {
  it('an owned cluster survives SIGTERM and kill -9 of the control plane, and a restarted control plane picks its application up', async () => {
    const stateDir = tempDir();
    const first = await startTestControlPlane(stateDir);
    const artifactId = await uploadDriverApp(first.process.address);
    const { application } = await first.client.runApplication(driverRequest(artifactId, { args: ['sleep', '600000'] }));
    const id = application!.id;
    await expect
      .poll(async () => (await first.client.getApplication({ applicationId: id })).application!.status, {
        timeout: 30_000,
      })
      .toBe(ApplicationStatus.RUNNING);
    const { clusterId } = (await first.client.getApplication({ applicationId: id })).application!;
    const cluster = (await first.client.getCluster({ clusterId })).cluster!;
    const pids = recordedProcesses(stateDir, clusterId).map((process) => process.pid);
    expect(pids).toHaveLength(2);

    // A graceful stop leaves the cluster running.
    expect(await first.stop('SIGTERM')).toBe(0);
    for (const pid of pids) expect(isRunning(pid)).toBe(true);

    const second = await startTestControlPlane(stateDir);
    expect((await second.client.getApplication({ applicationId: id })).application!.status).toBe(
      ApplicationStatus.RUNNING,
    );
    expect((await second.client.getCluster({ clusterId })).cluster!.status).toBe(ClusterStatus.RUNNING);

    // So does a control plane that is killed outright.
    await second.stop('SIGKILL');
    const { client: dispatcher } = connectClient(DispatcherServiceDefinition, cluster.jobmanagerAddress, {
      clusterSecret: recordedClusterSecret(stateDir, clusterId),
    });
    // Past the job manager's heartbeat timeout: the task executor is still registered and the driver still runs.
    await new Promise((resolve) => setTimeout(resolve, LOCAL_CLUSTER_HEARTBEATS.timeoutMs + 1000));
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    const overview = await dispatcher.requestClusterOverview({});
    expect(overview).toMatchObject({ taskExecutors: 1, jobsRunning: 1 });

    // The third control plane follows the application from where the others left off.
    const third = await startTestControlPlane(stateDir);
    expect((await third.client.getApplication({ applicationId: id })).application!.status).toBe(
      ApplicationStatus.RUNNING,
    );
    await third.client.cancelApplication({ applicationId: id });
    const ended = await endedApplication(third.client, id);
    expect(ended.status).toBe(ApplicationStatus.CANCELED);
    await clusterInStatus(third.client, clusterId, ClusterStatus.STOPPED);
    await expect.poll(() => pids.filter(isRunning), { timeout: 10_000 }).toEqual([]);

    // The events of all three control planes form one log, without gaps or duplicates.
    const events = await watchAll(third.client, id, 0, false);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => BigInt(index + 1)));
    expect(events.map(describeEvent).filter((line) => line.startsWith('application '))).toEqual([
      'application DEPLOYING',
      'application RUNNING',
      'application CANCELING',
      'application CANCELED',
    ]);
    const driverStatuses = events.flatMap((event) =>
      event.kind?.$case === 'jobStatusChanged' ? [event.kind.jobStatusChanged.status] : [],
    );
    expect(new Set(driverStatuses).size).toBe(driverStatuses.length);
    await third.stop();
  });

  it('a control plane stopped while it deploys an application’s cluster stops what it started, and its successor deploys anew', async () => {
    const stateDir = tempDir();
    const first = await startTestControlPlane(stateDir);
    const artifactId = await uploadDriverApp(first.process.address);
    const { application } = await first.client.runApplication(driverRequest(artifactId, { args: ['sleep', '600000'] }));
    const id = application!.id;
    await expect
      .poll(async () => (await first.client.getApplication({ applicationId: id })).application!.clusterId, {
        timeout: 10_000,
      })
      .not.toBe('');
    const firstClusterId = (await first.client.getApplication({ applicationId: id })).application!.clusterId;
    expect(await first.stop('SIGTERM')).toBe(0);
    const firstPids = recordedProcesses(stateDir, firstClusterId).map((process) => process.pid);

    const second = await startTestControlPlane(stateDir);
    await expect
      .poll(async () => (await second.client.getApplication({ applicationId: id })).application!.status, {
        timeout: 30_000,
      })
      .toBe(ApplicationStatus.RUNNING);
    const resumed = (await second.client.getApplication({ applicationId: id })).application!;
    const firstCluster = (await second.client.getCluster({ clusterId: firstClusterId })).cluster!;
    if (resumed.clusterId !== firstClusterId) {
      // The deployment was under way when the control plane stopped: it was abandoned, and a new cluster deployed.
      expect(firstCluster.status).toBe(ClusterStatus.FAILED);
      expect(firstCluster.failure?.message).toContain('stopped while it was deploying');
      for (const pid of firstPids) expect(isRunning(pid)).toBe(false);
    } else {
      expect(firstCluster.status).toBe(ClusterStatus.RUNNING);
    }

    await second.client.cancelApplication({ applicationId: id });
    expect((await endedApplication(second.client, id)).status).toBe(ApplicationStatus.CANCELED);
    await clusterInStatus(second.client, resumed.clusterId, ClusterStatus.STOPPED);
    const events = await watchAll(second.client, id, 0, false);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => BigInt(index + 1)));
    await second.stop();
  });
});
