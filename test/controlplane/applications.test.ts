/**
 * Applications through the control plane on real processes, with what runs without a driver
 * implementation: RunApplication validates, deduplicates and answers DEPLOYING at once; the
 * application's events replay and follow in order without gaps; cancelling during the deployment
 * tears down what was started; applications never tear down clusters they do not own.
 */
import { Status } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, ClusterStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { startServer } from '../support/processes.js';
import {
  clusterInStatus,
  controlPlaneForFile,
  describeEvent,
  driverRequest,
  endedApplication,
  isRunning,
  recordedProcesses,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
} from './controlPlaneTesting.js';
import { JOB_MANAGER_NOT_USABLE_MESSAGE } from '../../src/controlplane/clusters/JobManagerNotUsableError.js';

describe('applications', () => {
  const shared = controlPlaneForFile();

  it('refuses what it cannot run, naming the field, before anything is stored', async () => {
    const {
      controlPlane: { client },
      artifactId,
    } = shared;
    await expect(client.runApplication(driverRequest('b'.repeat(64)))).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('upload it first (flotilla upload)'),
    });
    await expect(client.runApplication(driverRequest(artifactId, { detached: true }))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(/driver-mode application always runs detached.*--follow/),
    });
    // Each mode's own rules for clusters (session: one you name; application: one of its own).
    await expect(
      client.runApplication(driverRequest(artifactId, { mode: SubmissionMode.SESSION })),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('SESSION mode runs the jobs on a cluster you name'),
    });
    await expect(
      client.runApplication(
        driverRequest(artifactId, {
          mode: SubmissionMode.APPLICATION,
          cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: 'localhost:6123' } },
        }),
      ),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('APPLICATION mode'),
    });
    await expect(
      client.runApplication(driverRequest(artifactId, { mode: SubmissionMode.UNSPECIFIED })),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('mode is required') });
    await expect(client.runApplication(driverRequest(artifactId, { parallelism: 2000 }))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('parallelism'),
    });
    await expect(
      client.runApplication(
        driverRequest(artifactId, {
          driverResources: { cpus: -1, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
        }),
      ),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('driver_resources.cpus'),
    });
    await expect(
      client.runApplication(driverRequest(artifactId, { entry: 'main.mjs#no-identifier' })),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('entry') });
    await expect(
      client.runApplication(
        driverRequest(artifactId, { cluster: { target: { $case: 'clusterId', clusterId: 'cluster-unknown' } } }),
      ),
    ).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('cluster "cluster-unknown" is not known'),
    });
    expect((await client.listApplications({ pageSize: 0, pageToken: '', statuses: [] })).applications).toEqual([]);
  });

  it('answers at once with the stored application, DEPLOYING; a retry with its request id gets the same one, a different request ALREADY_EXISTS', async () => {
    const {
      controlPlane: { client },
      artifactId,
    } = shared;
    const request = driverRequest(artifactId, { requestId: 'run-1', args: ['sleep', '60000'], parallelism: 2 });
    const { application, deduplicated } = await client.runApplication(request);
    expect(deduplicated).toBe(false);
    expect(application).toMatchObject({
      status: ApplicationStatus.DEPLOYING,
      mode: SubmissionMode.DRIVER,
      name: 'driver-app',
      entry: '#main',
      args: ['sleep', '60000'],
      parallelism: 2,
      requestId: 'run-1',
      lastEventSequence: 1n,
    });
    const again = await client.runApplication(request);
    expect(again).toMatchObject({ deduplicated: true, application: { id: application!.id } });
    await expect(client.runApplication({ ...request, args: ['sleep', '1'] })).rejects.toMatchObject({
      code: Status.ALREADY_EXISTS,
      details: expect.stringContaining(`already used for application ${application!.id}`),
    });
    await client.cancelApplication({ applicationId: application!.id });
    await endedApplication(client, application!.id);
  });

  it('cancelling while the cluster deploys ends the application CANCELED and stops every process started for it', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['sleep', '60000'] }));
    const { application: cancelling } = await client.cancelApplication({ applicationId: application!.id });
    expect([ApplicationStatus.CANCELING, ApplicationStatus.CANCELED]).toContain(cancelling!.status);
    const ended = await endedApplication(client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.CANCELED);
    expect(ended.endTime).toBeInstanceOf(Date);
    if (ended.clusterId) {
      const cluster = (await client.getCluster({ clusterId: ended.clusterId })).cluster!;
      expect(cluster.ownerApplicationId).toBe(application!.id);
      const stopped = await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
      expect(stopped.endTime).toBeInstanceOf(Date);
      for (const process of recordedProcesses(stateDir, ended.clusterId)) expect(isRunning(process.pid)).toBe(false);
    }
    // Cancelling an application that ended answers it unchanged.
    expect((await client.cancelApplication({ applicationId: application!.id })).application!.status).toBe(
      ApplicationStatus.CANCELED,
    );
  });

  it('streams an application’s events in order without gaps, replayed and followed, ending after the terminal event; its owned cluster is torn down', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['squares', '5'] }));
    const id = application!.id;
    const followedFromStart = watchAll(client, id, 0, true);
    // A second watcher joins mid-way, from the third event.
    await expect
      .poll(async () => (await client.getApplication({ applicationId: id })).application!.lastEventSequence >= 3n, {
        timeout: 30_000,
      })
      .toBe(true);
    const followedFromThird = watchAll(client, id, 2, true);

    const ended = await endedApplication(client, id);
    const all = await followedFromStart;
    const replayed = await watchAll(client, id, 0, false);
    expect(all.map((event) => event.sequence)).toEqual(all.map((_, index) => BigInt(index + 1)));
    expect(all.length).toBe(Number(ended.lastEventSequence));
    expect(replayed).toEqual(all);
    expect(await followedFromThird).toEqual(all.slice(2));
    for (const event of all) expect(event.applicationId).toBe(id);

    const lines = all.map(describeEvent);
    expect(lines[0]).toBe('application DEPLOYING');
    expect(lines.at(-1)).toBe(`application ${ApplicationStatus[ended.status]}`);
    expect(
      lines.filter((line) => line.startsWith('application ') && line !== 'application CANCELING').length,
    ).toBeGreaterThanOrEqual(2);
    // The owned cluster's deployment comes first, then the driver is accepted, then its jobs' events.
    const clusterRunning = lines.indexOf('cluster RUNNING');
    const applicationRunning = lines.indexOf('application RUNNING');
    expect(lines.slice(1, clusterRunning)).toEqual(lines.slice(1, clusterRunning).map(() => 'cluster DEPLOYING'));
    expect(clusterRunning).toBeGreaterThan(0);
    expect(applicationRunning).toBeGreaterThan(clusterRunning);
    expect(
      lines.slice(applicationRunning + 1, -1).every((line) => line.startsWith('job ') || line.startsWith('task ')),
    ).toBe(true);
    const running = all[clusterRunning].kind;
    expect(running?.$case === 'clusterStatusChanged' && running.clusterStatusChanged.jobmanagerAddress).toMatch(
      /^127\.0\.0\.1:\d+$/,
    );
    expect(ended.driverJobId).toMatch(/^job-/);
    expect(ended.ownsCluster).toBe(true);

    // When the application has ended, its owned cluster is stopped and every process of it is gone.
    await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
    for (const process of recordedProcesses(stateDir, ended.clusterId)) expect(isRunning(process.pid)).toBe(false);

    await expect(watchAll(client, 'app-unknown', 0, false)).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('application "app-unknown" is not known'),
    });
    await expect(watchAll(client, id, all.length + 1, false)).rejects.toMatchObject({ code: Status.OUT_OF_RANGE });
  });

  it('runs on a shared cluster and does not tear it down', async () => {
    const {
      controlPlane: { client, stateDir },
      artifactId,
    } = shared;
    const { cluster } = await client.deployCluster({
      name: 'shared',
      spec: { taskExecutors: 1, slotsPerTaskExecutor: 3, taskExecutorResources: undefined, properties: {} },
      requestId: '',
    });
    await clusterInStatus(client, cluster!.id, ClusterStatus.RUNNING);
    const sharedProcesses = recordedProcesses(stateDir, cluster!.id);

    const onShared = (
      await client.runApplication(
        driverRequest(artifactId, { cluster: { target: { $case: 'clusterId', clusterId: cluster!.id } } }),
      )
    ).application!;
    const endedOnShared = await endedApplication(client, onShared.id);
    expect(endedOnShared).toMatchObject({ clusterId: cluster!.id, ownsCluster: false });
    expect((await client.getCluster({ clusterId: cluster!.id })).cluster!.status).toBe(ClusterStatus.RUNNING);
    for (const process of sharedProcesses) expect(isRunning(process.pid)).toBe(true);

    await client.shutDownCluster({ clusterId: cluster!.id });
    await clusterInStatus(client, cluster!.id, ClusterStatus.STOPPED);
  });

  it('runs on a job manager the operator listed, named by address, and does not tear it down; an unlisted or silent one fails with the one message', async () => {
    const jobmanager = await startServer('jobmanager');
    const taskexecutor = await startServer('taskexecutor', ['--jobmanager', jobmanager.address, '--slots', '2']);
    // 127.0.0.1:9 is listed, but nobody listens there.
    const controlPlane = await startTestControlPlane(undefined, undefined, [
      '--external-jobmanager',
      jobmanager.address,
      '--external-jobmanager',
      '127.0.0.1:9',
    ]);
    const { client } = controlPlane;
    const artifactId = await uploadDriverApp(controlPlane.address);
    const external = (
      await client.runApplication(
        driverRequest(artifactId, {
          cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: jobmanager.address } },
        }),
      )
    ).application!;
    const endedExternal = await endedApplication(client, external.id);
    const externalCluster = (await client.getCluster({ clusterId: endedExternal.clusterId })).cluster!;
    expect(externalCluster).toMatchObject({
      deploymentTarget: 'external',
      jobmanagerAddress: jobmanager.address,
      ownerApplicationId: '',
    });
    expect(isRunning(jobmanager.child.pid!)).toBe(true);
    await expect(client.shutDownCluster({ clusterId: externalCluster.id })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining('was not deployed by this control plane'),
    });

    // A job manager nobody listens at, listed or not, fails the application with the one message and records no cluster.
    for (const address of ['127.0.0.1:9', '127.0.0.1:1']) {
      const unusable = (
        await client.runApplication(
          driverRequest(artifactId, {
            cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: address } },
          }),
        )
      ).application!;
      const failed = await endedApplication(client, unusable.id);
      expect(failed.status).toBe(ApplicationStatus.FAILED);
      expect(failed.failure).toMatchObject({
        name: 'JobManagerNotUsableError',
        message: JOB_MANAGER_NOT_USABLE_MESSAGE,
      });
      expect(failed.clusterId).toBe('');
      const recorded = (await client.listClusters({ pageSize: 0, pageToken: '', statuses: [] })).clusters;
      expect(recorded.some((recordedCluster) => recordedCluster.jobmanagerAddress === address)).toBe(false);
    }

    await taskexecutor.stop();
    await jobmanager.stop();
  });

  it('refuses to shut down a cluster its running application owns, naming the application', async () => {
    const {
      controlPlane: { client },
      artifactId,
    } = shared;
    const { application } = await client.runApplication(driverRequest(artifactId, { args: ['sleep', '60000'] }));
    await expect
      .poll(async () => (await client.getApplication({ applicationId: application!.id })).application!.clusterId, {
        timeout: 10_000,
      })
      .not.toBe('');
    const { clusterId } = (await client.getApplication({ applicationId: application!.id })).application!;
    await expect(client.shutDownCluster({ clusterId })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining(`owned by application ${application!.id}`),
    });
    await client.cancelApplication({ applicationId: application!.id });
    await endedApplication(client, application!.id);
    await clusterInStatus(client, clusterId, ClusterStatus.STOPPED);
  });

  it('lists applications newest first, page by page and by status', async () => {
    const {
      controlPlane: { client },
    } = shared;
    const all = (await client.listApplications({ pageSize: 0, pageToken: '', statuses: [] })).applications;
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all.map((application) => application.createTime!.getTime())).toEqual(
      all.map((application) => application.createTime!.getTime()).sort((a, b) => b - a),
    );
    const first = await client.listApplications({ pageSize: 2, pageToken: '', statuses: [] });
    const rest = await client.listApplications({ pageSize: 1000, pageToken: first.nextPageToken, statuses: [] });
    expect([...first.applications, ...rest.applications].map((application) => application.id)).toEqual(
      all.map((application) => application.id),
    );
    const cancelled = await client.listApplications({
      pageSize: 0,
      pageToken: '',
      statuses: [ApplicationStatus.CANCELED],
    });
    expect(cancelled.applications.length).toBeGreaterThanOrEqual(2);
    expect(cancelled.applications.every((application) => application.status === ApplicationStatus.CANCELED)).toBe(true);
    await expect(client.getApplication({ applicationId: 'app-nope' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      details: expect.stringContaining('application "app-nope" is not known'),
    });
    await expect(client.cancelApplication({ applicationId: 'app-nope' })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
  });
});
