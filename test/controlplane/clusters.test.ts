/**
 * Shared session clusters through the control plane, on real processes: DeployCluster starts a job
 * manager and task executors (recorded with their pids), ShutDownCluster stops every one of them,
 * a cluster whose job manager dies is recorded lost, and the RPCs answer bad requests clearly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStatus } from '../../generated/flotilla/v1/status.js';
import {
  clusterInStatus,
  isRunning,
  killGroup,
  recordedProcesses,
  startTestControlPlane,
  type TestControlPlane,
} from './controlPlaneTesting.js';
import { recordedClusterFolder } from '../support/controlPlane.js';

describe('clusters', () => {
  let controlPlane: TestControlPlane;

  beforeAll(async () => {
    controlPlane = await startTestControlPlane();
  });
  afterAll(async () => {
    await controlPlane.stop();
  });

  it('DeployCluster answers DEPLOYING at once; the cluster runs with every task executor registered; ShutDownCluster stops every process', async () => {
    const { client, stateDir } = controlPlane;
    const { cluster } = await client.deployCluster({
      name: 'shared-1',
      spec: { taskExecutors: 2, slotsPerTaskExecutor: 3, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    expect(cluster).toMatchObject({
      name: 'shared-1',
      status: ClusterStatus.DEPLOYING,
      deploymentTarget: 'local',
      ownerApplicationId: '',
    });

    const running = await clusterInStatus(client, cluster!.id, ClusterStatus.RUNNING);
    expect(running.jobmanagerAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(running.registeredTaskExecutors).toBe(2);
    expect(running.spec).toMatchObject({ taskExecutors: 2, slotsPerTaskExecutor: 3 });
    const processes = recordedProcesses(stateDir, cluster!.id);
    expect(processes.map((process) => `${process.role}-${process.idx}`)).toEqual([
      'jobmanager-0',
      'taskexecutor-0',
      'taskexecutor-1',
    ]);
    for (const process of processes) {
      expect(isRunning(process.pid)).toBe(true);
      expect(existsSync(process.log_file)).toBe(true);
    }
    // Outside the state dir, which cluster processes must not be able to enter.
    const folder = recordedClusterFolder(stateDir, cluster!.id);
    expect(folder.startsWith(`${stateDir}/`)).toBe(false);
    expect(existsSync(join(folder, 'jobmanager.out'))).toBe(true);
    expect(existsSync(join(folder, 'work', 'jobmanager'))).toBe(true);

    const { cluster: stopping } = await client.shutDownCluster({ clusterId: cluster!.id });
    expect(stopping!.status).toBe(ClusterStatus.STOPPING);
    const stopped = await clusterInStatus(client, cluster!.id, ClusterStatus.STOPPED);
    expect(stopped.endTime).toBeInstanceOf(Date);
    for (const process of processes) expect(isRunning(process.pid)).toBe(false);
    // The logs stay for reading; the processes' state folders are removed.
    expect(existsSync(join(folder, 'jobmanager.log'))).toBe(true);
    expect(existsSync(join(folder, 'work'))).toBe(false);

    // Shutting down a stopped cluster answers it unchanged.
    expect((await client.shutDownCluster({ clusterId: cluster!.id })).cluster!.status).toBe(ClusterStatus.STOPPED);
  });

  it('records a cluster whose job manager dies as lost, and stops what is left of it', async () => {
    const { client, stateDir } = controlPlane;
    const { cluster } = await client.deployCluster({
      name: 'doomed',
      spec: { taskExecutors: 1, slotsPerTaskExecutor: 1, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    await clusterInStatus(client, cluster!.id, ClusterStatus.RUNNING);
    const processes = recordedProcesses(stateDir, cluster!.id);
    killGroup(processes.find((process) => process.role === 'jobmanager')!.pid);

    const failed = await clusterInStatus(client, cluster!.id, ClusterStatus.FAILED);
    expect(failed.failure).toMatchObject({
      name: 'ClusterLostError',
      message: expect.stringMatching(/was lost: its job manager at .* was killed by SIGKILL/),
    });
    await expect.poll(() => processes.filter((process) => isRunning(process.pid)).length, { timeout: 10_000 }).toBe(0);
  });

  it('a request id makes DeployCluster idempotent, and a different request under it is ALREADY_EXISTS', async () => {
    const { client } = controlPlane;
    const spec = { taskExecutors: 1, slotsPerTaskExecutor: 1, taskExecutorResources: undefined, properties: {} };
    const first = await client.deployCluster({ name: 'idempotent', spec, requestId: 'deploy-1' });
    const again = await client.deployCluster({ name: 'idempotent', spec, requestId: 'deploy-1' });
    expect(again.cluster!.id).toBe(first.cluster!.id);
    await expect(client.deployCluster({ name: 'other', spec, requestId: 'deploy-1' })).rejects.toMatchObject({
      code: Status.ALREADY_EXISTS,
      details: expect.stringContaining(`already used for cluster ${first.cluster!.id}`),
    });
    await clusterInStatus(client, first.cluster!.id, ClusterStatus.RUNNING);
    await client.shutDownCluster({ clusterId: first.cluster!.id });
    await clusterInStatus(client, first.cluster!.id, ClusterStatus.STOPPED);
  });

  it('lists clusters newest first, page by page and by status', async () => {
    const { client } = controlPlane;
    const all = await client.listClusters({ pageSize: 0, pageToken: '', statuses: [] });
    expect(all.clusters.map((cluster) => cluster.name)).toEqual(['idempotent', 'doomed', 'shared-1']);
    const first = await client.listClusters({ pageSize: 2, pageToken: '', statuses: [] });
    const second = await client.listClusters({ pageSize: 2, pageToken: first.nextPageToken, statuses: [] });
    expect([...first.clusters, ...second.clusters].map((cluster) => cluster.name)).toEqual([
      'idempotent',
      'doomed',
      'shared-1',
    ]);
    expect(second.nextPageToken).toBe('');
    const failed = await client.listClusters({ pageSize: 0, pageToken: '', statuses: [ClusterStatus.FAILED] });
    expect(failed.clusters.map((cluster) => cluster.name)).toEqual(['doomed']);
  });

  it('answers bad cluster requests with a status and a message naming the problem', async () => {
    const { client } = controlPlane;
    await expect(client.getCluster({ clusterId: 'cluster-nope' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('cluster "cluster-nope" is not known'),
    });
    await expect(client.shutDownCluster({ clusterId: '' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'cluster_id is required',
    });
    await expect(
      client.deployCluster({
        name: 'big',
        spec: { taskExecutors: 500, slotsPerTaskExecutor: 0, taskExecutorResources: undefined, properties: {} },
        requestId: '',
      }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('spec.task_executors must be 0 (the default, 1) to 64'),
    });
    await expect(
      client.deployCluster({
        name: 'x',
        spec: {
          taskExecutors: 1,
          slotsPerTaskExecutor: 1,
          taskExecutorResources: { cpus: -1, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
          properties: {},
        },
        requestId: '',
      }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('spec.task_executor_resources.cpus'),
    });
    await expect(client.listClusters({ pageSize: 0, pageToken: 'nonsense', statuses: [] })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    await expect(
      client.listClusters({ pageSize: 0, pageToken: '', statuses: [ClusterStatus.UNSPECIFIED] }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('statuses[0] must be one of'),
    });
  });
});
