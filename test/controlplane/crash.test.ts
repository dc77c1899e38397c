/**
 * A control plane that can die (issue 5, part 6), on real processes: `kill -9` of the control
 * plane while three driver-mode applications run, then a restart on the same state dir and
 * address. Their owned clusters keep running meanwhile; the job events of what ran while the
 * control plane was down are caught up from the Dispatchers; every application reaches its own
 * final status; a watcher cut off by the kill resumes by itself and sees every event exactly once;
 * nothing accepted is lost. A cluster killed while the control plane was down ends its application
 * FAILED, saying so, and an application accepted just before the kill is launched after it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import type { ApplicationEvent, JobStatusChanged } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { connectControlPlane } from '../../src/client/controlPlaneClient.js';
import { watchApplication } from '../../src/client/watchApplication.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import {
  clusterInStatus,
  describeEvent,
  driverRequest,
  endedApplication,
  isRunning,
  killGroup,
  recordedClusterSecret,
  recordedProcesses,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
  wholeLog,
} from './controlPlaneTesting.js';

/** The status changes of the jobs main() submitted (not the driver's). */
function userJobs(events: readonly ApplicationEvent[]): JobStatusChanged[] {
  return events.flatMap((event) =>
    event.kind?.$case === 'jobStatusChanged' && event.kind.jobStatusChanged.livingPriority !== LivingPriority.DRIVER
      ? [event.kind.jobStatusChanged]
      : [],
  );
}

/** How many of main()'s jobs have finished, as a job manager itself counts them. */
async function jobsFinishedOnCluster(jobmanagerAddress: string, clusterSecret: string): Promise<number> {
  const { channel, client } = connectClient(DispatcherServiceDefinition, jobmanagerAddress, { clusterSecret });
  try {
    return (await client.requestClusterOverview({})).jobsFinished;
  } finally {
    channel.close();
  }
}

/** Every pid recorded for the clusters. */
function clusterPids(stateDir: string, clusterIds: readonly string[]): number[] {
  return clusterIds.flatMap((clusterId) => recordedProcesses(stateDir, clusterId).map((process) => process.pid));
}

const POLL = { timeout: 60_000, interval: 250 };

describe('a control plane that can die', () => {
  it(
    'three applications survive kill -9 of the control plane: each ends right, a resumed watcher sees every event once, none is lost',
    { timeout: 110_000 },
    async () => {
      const stateDir = tempDir();
      const gates = sharedDir();
      const [firstGate, secondGate] = [join(gates, 'first'), join(gates, 'second')];
      const first = await startTestControlPlane(stateDir);
      const artifactId = await uploadDriverApp(first.process.address);
      // Each runs a job, waits for the first gate, runs another (while the control plane is down), waits for the second gate (after the restart), then ends.
      const plans = [
        {
          name: 'finishes',
          args: ['squares', '5', 'await', firstGate, 'squares', '6', 'await', secondGate, 'squares', '7'],
          status: ApplicationStatus.FINISHED,
          jobs: 3,
        },
        {
          name: 'also-finishes',
          args: ['squares', '8', 'await', firstGate, 'squares', '9', 'await', secondGate, 'squares', '10'],
          status: ApplicationStatus.FINISHED,
          jobs: 3,
        },
        {
          name: 'fails',
          args: ['squares', '3', 'await', firstGate, 'squares', '4', 'await', secondGate, 'throw'],
          status: ApplicationStatus.FAILED,
          jobs: 2,
        },
      ];
      const ids: string[] = [];
      for (const { name, args } of plans) {
        const { application } = await first.client.runApplication(
          driverRequest(artifactId, { name, entry: 'main.mjs#steps', args }),
        );
        ids.push(application!.id);
      }

      // A watcher of the first application, which the kill disconnects; it resumes by itself after the last sequence it saw.
      const watcher = connectControlPlane(first.process.address);
      const watched: ApplicationEvent[] = [];
      let reconnects = 0;
      const watching = (async () => {
        for await (const event of watchApplication(watcher, ids[0]!, {
          follow: true,
          reconnectForMs: 100_000,
          onReconnect: () => reconnects++,
        }))
          watched.push(event);
      })().then(
        () => undefined,
        (error: unknown) => error,
      );

      for (const id of ids)
        await expect
          .poll(
            async () =>
              userJobs(await watchAll(first.client, id, 0, false)).filter((job) => job.status === JobStatus.FINISHED)
                .length,
            POLL,
          )
          .toBe(1);
      const running = await Promise.all(
        ids.map(async (id) => (await first.client.getApplication({ applicationId: id })).application!),
      );
      const clusters = await Promise.all(
        running.map(async ({ clusterId }) => (await first.client.getCluster({ clusterId })).cluster!),
      );
      const pids = clusterPids(
        stateDir,
        running.map(({ clusterId }) => clusterId),
      );
      expect(pids).toHaveLength(6);
      expect(watched.length).toBeGreaterThan(0);

      await first.stop('SIGKILL');
      // Owned clusters do not die with their control plane; their applications go on without it.
      for (const pid of pids) expect(isRunning(pid)).toBe(true);
      writeFileSync(firstGate, '');
      for (const cluster of clusters)
        await expect
          .poll(
            () => jobsFinishedOnCluster(cluster.jobmanagerAddress, recordedClusterSecret(stateDir, cluster.id)),
            POLL,
          )
          .toBe(2);

      const second = await startTestControlPlane(stateDir, first.process.address);
      writeFileSync(secondGate, '');
      for (const [index, id] of ids.entries()) {
        const ended = await endedApplication(second.client, id, 90_000);
        expect({ name: ended.name, status: ApplicationStatus[ended.status] }).toEqual({
          name: plans[index]!.name,
          status: ApplicationStatus[plans[index]!.status],
        });
      }
      expect((await second.client.getApplication({ applicationId: ids[2]! })).application!.failure?.message).toContain(
        'the application failed on purpose',
      );

      // The watcher lost its stream to the kill, resumed on the new control plane, and saw exactly what a full replay shows.
      expect(await watching).toBeUndefined();
      watcher.close();
      expect(reconnects).toBeGreaterThan(0);
      const replay = await wholeLog(second.client, ids[0]!);
      expect(watched).toEqual(replay);

      // No application is lost, and each has its whole log: every job main() ran, also the one that ran while the control plane was down.
      const listed = (await second.client.listApplications({ pageSize: 100, pageToken: '', statuses: [] }))
        .applications;
      expect(listed.map((application) => application.id).sort()).toEqual([...ids].sort());
      for (const [index, id] of ids.entries()) {
        const application = (await second.client.getApplication({ applicationId: id })).application!;
        const events = await wholeLog(second.client, id);
        expect(describeEvent(events[0]!)).toBe('application DEPLOYING');
        expect(describeEvent(events.at(-1)!)).toBe(`application ${ApplicationStatus[plans[index]!.status]}`);
        expect(application.jobIds).toHaveLength(plans[index]!.jobs);
        const finished = userJobs(events)
          .filter((job) => job.status === JobStatus.FINISHED)
          .map((job) => job.jobId);
        expect(finished.sort()).toEqual([...application.jobIds].sort());
        const driver = events.flatMap((event) =>
          event.kind?.$case === 'jobStatusChanged' &&
          event.kind.jobStatusChanged.livingPriority === LivingPriority.DRIVER
            ? [event.kind.jobStatusChanged.status]
            : [],
        );
        expect(driver.at(-1)).toBe(
          plans[index]!.status === ApplicationStatus.FINISHED ? JobStatus.FINISHED : JobStatus.FAILED,
        );
        // Each status change of a job is recorded once, though its events were read by two control planes.
        const statusChanges = events.flatMap((event) =>
          event.kind?.$case === 'jobStatusChanged'
            ? [`${event.kind.jobStatusChanged.jobId} ${event.kind.jobStatusChanged.status}`]
            : [],
        );
        expect(new Set(statusChanges).size).toBe(statusChanges.length);
      }

      // Every owned cluster is torn down once its application ended, and none of its processes remains.
      for (const { clusterId } of running) await clusterInStatus(second.client, clusterId, ClusterStatus.STOPPED);
      await expect.poll(() => pids.filter(isRunning), { timeout: 15_000 }).toEqual([]);
      await second.stop();
    },
  );

  it(
    'a cluster killed while the control plane was down ends its application FAILED saying so, and an application accepted just before the kill is launched after the restart',
    { timeout: 110_000 },
    async () => {
      const stateDir = tempDir();
      const first = await startTestControlPlane(stateDir);
      const artifactId = await uploadDriverApp(first.process.address);
      const { application: sleeper } = await first.client.runApplication(
        driverRequest(artifactId, { name: 'sleeper', args: ['sleep', '600000'] }),
      );
      const sleeperId = sleeper!.id;
      await expect
        .poll(async () => (await first.client.getApplication({ applicationId: sleeperId })).application!.status, POLL)
        .toBe(ApplicationStatus.RUNNING);
      const sleeperClusterId = (await first.client.getApplication({ applicationId: sleeperId })).application!.clusterId;
      const [jobManager, ...taskExecutors] = recordedProcesses(stateDir, sleeperClusterId);
      expect(jobManager!.role).toBe('jobmanager');
      expect(taskExecutors).toHaveLength(1);

      // Accepted, and killed right after the answer: its cluster cannot be up yet.
      const { application: late } = await first.client.runApplication(
        driverRequest(artifactId, { name: 'late', args: ['squares', '12'] }),
      );
      await first.stop('SIGKILL');
      const lateId = late!.id;
      const lateFirstClusterId = startOfLaunch(stateDir, lateId) ?? '';
      const lateFirstPids = lateFirstClusterId ? clusterPids(stateDir, [lateFirstClusterId]) : [];

      // The sleeper's job manager dies while no control plane watches it; its task executor is left behind.
      killGroup(jobManager!.pid);
      await expect.poll(() => isRunning(jobManager!.pid), { timeout: 10_000 }).toBe(false);

      const second = await startTestControlPlane(stateDir, first.process.address);
      const lost = await endedApplication(second.client, sleeperId);
      expect(ApplicationStatus[lost.status]).toBe('FAILED');
      expect(lost.failure?.name).toBe('ClusterLostError');
      expect(lost.failure?.message).toContain(`cluster ${sleeperClusterId}`);
      expect(lost.failure?.message).toContain('while the control plane was down');
      const lostCluster = (await second.client.getCluster({ clusterId: sleeperClusterId })).cluster!;
      expect(ClusterStatus[lostCluster.status]).toBe('FAILED');
      expect(lostCluster.failure?.message).toContain('while the control plane was down');
      await expect
        .poll(() => taskExecutors.map((process) => process.pid).filter(isRunning), { timeout: 15_000 })
        .toEqual([]);

      // The application accepted before the kill is not lost: it is launched (on a new cluster if its deployment was cut off) and finishes.
      const finished = await endedApplication(second.client, lateId, 90_000);
      expect(ApplicationStatus[finished.status]).toBe('FINISHED');
      const lateEvents = await wholeLog(second.client, lateId);
      expect(userJobs(lateEvents).filter((job) => job.status === JobStatus.FINISHED)).toHaveLength(1);
      const latePids = clusterPids(stateDir, [finished.clusterId]);
      if (lateFirstClusterId && lateFirstClusterId !== finished.clusterId) {
        const abandoned = (await second.client.getCluster({ clusterId: lateFirstClusterId })).cluster!;
        expect(ClusterStatus[abandoned.status]).toBe('FAILED');
        expect(abandoned.failure?.message).toContain('stopped while it was deploying');
      }
      await clusterInStatus(second.client, finished.clusterId, ClusterStatus.STOPPED);
      await expect.poll(() => [...lateFirstPids, ...latePids].filter(isRunning), { timeout: 15_000 }).toEqual([]);
      await second.stop();
    },
  );

  it(
    'a cancellation answered just before the kill is carried out after the restart',
    { timeout: 110_000 },
    async () => {
      const stateDir = tempDir();
      const first = await startTestControlPlane(stateDir);
      const artifactId = await uploadDriverApp(first.process.address);
      const { application } = await first.client.runApplication(
        driverRequest(artifactId, { name: 'cancelled', args: ['sleep', '600000'] }),
      );
      const id = application!.id;
      await expect
        .poll(async () => (await first.client.getApplication({ applicationId: id })).application!.status, POLL)
        .toBe(ApplicationStatus.RUNNING);
      const { clusterId } = (await first.client.getApplication({ applicationId: id })).application!;
      const pids = clusterPids(stateDir, [clusterId]);

      const { application: cancelling } = await first.client.cancelApplication({ applicationId: id });
      await first.stop('SIGKILL');
      expect(ApplicationStatus[cancelling!.status]).toBe('CANCELING');

      const second = await startTestControlPlane(stateDir, first.process.address);
      expect(ApplicationStatus[(await endedApplication(second.client, id)).status]).toBe('CANCELED');
      await clusterInStatus(second.client, clusterId, ClusterStatus.STOPPED);
      await expect.poll(() => pids.filter(isRunning), { timeout: 15_000 }).toEqual([]);
      const statuses = (await wholeLog(second.client, id))
        .map(describeEvent)
        .filter((line) => line.startsWith('application '));
      expect(statuses).toEqual([
        'application DEPLOYING',
        'application RUNNING',
        'application CANCELING',
        'application CANCELED',
      ]);
      await second.stop();
    },
  );
});

/** The cluster the killed control plane had started deploying for the application, if it got that far. */
function startOfLaunch(stateDir: string, applicationId: string): string | undefined {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT cluster_id FROM applications WHERE id = ?').get(applicationId) as
      { cluster_id: string } | undefined;
    return row?.cluster_id || undefined;
  } finally {
    db.close();
  }
}
