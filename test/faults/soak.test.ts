/**
 * Soak: 50 driver-mode applications submitted at once to three shared clusters while task
 * executors are killed (`kill -9`) at random, each replaced by a new one that joins the same job
 * manager (`flotilla taskexecutor --jobmanager ADDR`), as an operator or a supervisor would: the
 * local deployment target starts a cluster's task executors once and does not replace them.
 * Promised: every application reaches a terminal state (those whose driver or job could not
 * survive a kill end FAILED saying why, never INTERNAL); every application's event log is numbered
 * 1..N without a gap; the control plane stays up; and once the clusters are shut down no process
 * of theirs is left, replacements included.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Application } from '../../generated/flotilla/v1/resources.js';
import { ApplicationStatus, ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { dispatcherClient } from '../support/cluster.js';
import { clusterProcesses } from '../support/controlPlane.js';
import { startServer } from '../support/processes.js';
import {
  clusterInStatus,
  controlPlaneForFile,
  driverRequest,
  endedApplication,
  recordedClusterSecret,
  wholeLog,
} from '../controlplane/controlPlaneTesting.js';

const APPLICATIONS = 50;
const CLUSTERS = 3;
const TASK_EXECUTORS = 3;
const SLOTS = 4;
/** At most this many kills, one every KILL_INTERVAL_MS while applications run. */
const KILLS = 10;
const KILL_INTERVAL_MS = 1500;

const shared = controlPlaneForFile();
const clusters: { id: string; address: string; secret: string }[] = [];

/** Deploys the shared clusters and waits until each runs. */
async function deployClusters(): Promise<void> {
  const { client, stateDir } = shared.controlPlane;
  const deployed = await Promise.all(
    Array.from({ length: CLUSTERS }, (_, index) =>
      client.deployCluster({
        name: `soak-${index}`,
        requestId: '',
        spec: {
          taskExecutors: TASK_EXECUTORS,
          slotsPerTaskExecutor: SLOTS,
          taskExecutorResources: undefined,
          properties: {},
        },
      }),
    ),
  );
  for (const { cluster } of deployed) {
    const running = await clusterInStatus(client, cluster!.id, ClusterStatus.RUNNING, 60_000);
    clusters.push({
      id: running.id,
      address: running.jobmanagerAddress,
      secret: recordedClusterSecret(stateDir, running.id),
    });
  }
}

/** Kills a random task executor of a random cluster and starts a replacement in that cluster; resolves with what it killed. */
async function killAndReplace(replacementIndex: number): Promise<string> {
  const cluster = clusters[Math.floor(Math.random() * clusters.length)];
  const { taskExecutorInfos } = await dispatcherClient(cluster.address, cluster.secret).requestClusterOverview({});
  const victim = taskExecutorInfos[Math.floor(Math.random() * taskExecutorInfos.length)];
  if (victim) {
    try {
      process.kill(victim.pid, 'SIGKILL');
    } catch {
      // It had gone by itself meanwhile.
    }
  }
  // Under the control plane's state dir, so that the check for processes left behind sees it too.
  const stateDir = join(shared.controlPlane.stateDir, 'replacements', `taskexecutor-${replacementIndex}`);
  // A replacement joins with the cluster's secret, as the deployment target's own task executors do.
  await startServer(
    'taskexecutor',
    ['--jobmanager', cluster.address, '--slots', String(SLOTS), '--state-dir', stateDir],
    { FLOTILLA_CLUSTER_SECRET: cluster.secret },
  );
  return `${victim?.id ?? 'nothing'} of ${cluster.id}`;
}

describe('soak: 50 applications on shared clusters while task executors are killed', () => {
  it('ends every application, with gapless event logs, and leaves no process behind', async () => {
    const { controlPlane, artifactId } = shared;
    const { client, stateDir } = controlPlane;
    await deployClusters();
    const submitted = await Promise.all(
      Array.from({ length: APPLICATIONS }, async (_, index) => {
        // Short applications that last a few seconds: half run a job, wait, and run another; half only wait.
        const args =
          index % 2 === 0 ? ['squares', String(10 + index), 'sleep', '6000', 'squares', '5'] : ['sleep', '8000'];
        const entry = index % 2 === 0 ? '#steps' : '';
        const cluster = clusters[index % clusters.length];
        const { application } = await client.runApplication(
          driverRequest(artifactId, {
            name: `soak-${index}`,
            requestId: `soak-${index}`,
            entry,
            args,
            cluster: { target: { $case: 'clusterId', clusterId: cluster.id } },
          }),
        );
        return application!.id;
      }),
    );
    expect(new Set(submitted).size).toBe(APPLICATIONS);

    const allEnded = Promise.all(submitted.map((applicationId) => endedApplication(client, applicationId, 180_000)));
    let ended = false;
    void allEnded.finally(() => (ended = true));
    const kills: string[] = [];
    while (!ended && kills.length < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, KILL_INTERVAL_MS));
      if (!ended) kills.push(await killAndReplace(kills.length));
    }
    const applications: Application[] = await allEnded;
    expect(kills.length).toBeGreaterThan(0);

    const byStatus = new Map<string, number>();
    for (const application of applications) {
      const status = ApplicationStatus[application.status];
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      expect(['FINISHED', 'FAILED']).toContain(status);
      if (application.status === ApplicationStatus.FAILED)
        expect(application.failure?.message).not.toMatch(/^$|internal error/);
      const events = await wholeLog(client, application.id);
      const last = events.at(-1)?.kind;
      expect(last?.$case === 'applicationStatusChanged' && last.applicationStatusChanged.status).toBe(
        application.status,
      );
    }
    expect(byStatus.get('FINISHED') ?? 0).toBeGreaterThan(0);
    expect(controlPlane.process.child.exitCode).toBeNull();

    for (const cluster of clusters) await client.shutDownCluster({ clusterId: cluster.id });
    for (const cluster of clusters) await clusterInStatus(client, cluster.id, ClusterStatus.STOPPED, 60_000);
    await expect.poll(() => clusterProcesses(stateDir), { timeout: 60_000, interval: 250 }).toEqual([]);
  }, 300_000);
});
