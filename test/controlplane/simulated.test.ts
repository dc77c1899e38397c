/**
 * `flotilla controlplane --deployment-target simulated` as a real process: applications submitted
 * over gRPC run on clusters that exist only in the control plane's memory (no job manager or task
 * executor process is started), go through the whole control-plane path and end FINISHED; the
 * options are checked; and a restart finds the simulated clusters gone, as it would find a dead
 * local cluster.
 */
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { clusterProcesses } from '../support/controlPlane.js';
import {
  describeEvent,
  driverRequest,
  endedApplication,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
  wholeLog,
  type TestControlPlane,
} from './controlPlaneTesting.js';

function simulatedControlPlane(stateDir = tempDir(), args: readonly string[] = []): Promise<TestControlPlane> {
  return startTestControlPlane(stateDir, undefined, ['--deployment-target', 'simulated', ...args]);
}

describe('the simulated deployment target', () => {
  it('runs driver-mode applications to FINISHED on simulated clusters, without a process', async () => {
    const controlPlane = await simulatedControlPlane(tempDir(), [
      '--simulated-jobs',
      '2',
      '--simulated-tasks',
      '3',
      '--simulated-event-interval',
      '1',
    ]);
    const artifactId = await uploadDriverApp(controlPlane.process.address);
    const ids = await Promise.all(
      Array.from(
        { length: 5 },
        async () => (await controlPlane.client.runApplication(driverRequest(artifactId))).application!.id,
      ),
    );
    for (const id of ids) {
      // Following from the start ends with the application's final event.
      const followed = await watchAll(controlPlane.client, id, 0, true);
      expect(describeEvent(followed.at(-1)!)).toBe('application FINISHED');
      const events = await wholeLog(controlPlane.client, id);
      expect(events.filter((event) => event.kind?.$case === 'applicationStatusChanged').map(describeEvent)).toEqual([
        'application DEPLOYING',
        'application RUNNING',
        'application FINISHED',
      ]);
      // The driver job and the two jobs it "submitted", each with its task events.
      expect(events.filter((event) => event.kind?.$case === 'jobStatusChanged')).toHaveLength(3 + 2 * 3);
      expect(events.filter((event) => event.kind?.$case === 'taskStateChanged')).toHaveLength(5 + 2 * 3 * 5);
      const application = (await controlPlane.client.getApplication({ applicationId: id })).application!;
      expect(application.jobIds).toHaveLength(2);
      const { cluster } = await controlPlane.client.getCluster({ clusterId: application.clusterId });
      expect(cluster).toMatchObject({ deploymentTarget: 'simulated', jobmanagerAddress: `${cluster!.id}.simulated:1` });
    }
    await expect
      .poll(
        async () =>
          (
            await controlPlane.client.listClusters({
              pageSize: 100,
              pageToken: '',
              statuses: [ClusterStatus.RUNNING, ClusterStatus.STOPPING],
            })
          ).clusters.length,
      )
      .toBe(0);
    expect(clusterProcesses(controlPlane.stateDir)).toEqual([]);
  });

  it('refuses an unknown target and a script out of range, saying which option', async () => {
    const unknown = await runCli(['controlplane', '--deployment-target', 'yarn', '--state-dir', tempDir()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--deployment-target must be "local", "kubernetes" or "simulated", got "yarn"');
    const negative = await runCli([
      'controlplane',
      '--deployment-target',
      'simulated',
      '--simulated-tasks',
      '0',
      '--state-dir',
      tempDir(),
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('the simulated tasks per job must be a whole number from 1 to 1000, got 0');
  });

  it('after a restart, ends FAILED the applications whose simulated cluster ended with the previous process', async () => {
    const stateDir = tempDir();
    const first = await simulatedControlPlane(stateDir, ['--simulated-event-interval', '60000']);
    const artifactId = await uploadDriverApp(first.process.address);
    const { application } = await first.client.runApplication(driverRequest(artifactId));
    await expect
      .poll(async () => (await first.client.getApplication({ applicationId: application!.id })).application!.status)
      .toBe(ApplicationStatus.RUNNING);
    await first.stop('SIGKILL');

    const second = await simulatedControlPlane(stateDir);
    const ended = await endedApplication(second.client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.FAILED);
    expect(ended.failure?.message).toContain(
      'existed only in the memory of the control-plane process that simulated it',
    );
    const { cluster } = await second.client.getCluster({ clusterId: ended.clusterId });
    expect(cluster!.status).toBe(ClusterStatus.FAILED);
  });
});
