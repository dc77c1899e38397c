/**
 * The task executor that runs a driver-mode application's current driver, found through the
 * control plane's events and the cluster's overview, and killed with SIGKILL (driver attempt and
 * replay tests).
 */
import { expect } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { ExecutionState } from '../../generated/flotilla/v1/status.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { recordedClusterSecret, watchAll, type TestControlPlane } from './controlPlane.js';

/**
 * Kills (SIGKILL) the task executor that runs the application's current driver once it runs and
 * `ready` holds (the driver's main() got far enough); resolves with the killed driver job.
 */
export async function killDriverHost(
  controlPlane: TestControlPlane,
  applicationId: string,
  { after = '', ready = () => true }: { after?: string; ready?: () => boolean | Promise<boolean> } = {},
): Promise<string> {
  let host = '';
  let jobmanager = '';
  let driverJobId = '';
  await expect
    .poll(
      async () => {
        const { application } = await controlPlane.client.getApplication({ applicationId });
        driverJobId = application!.driverJobId;
        if (!driverJobId || driverJobId === after) return false;
        for (const event of await watchAll(controlPlane.client, applicationId, 0, false)) {
          const kind = event.kind;
          if (kind?.$case === 'clusterStatusChanged' && kind.clusterStatusChanged.jobmanagerAddress)
            jobmanager = kind.clusterStatusChanged.jobmanagerAddress;
          if (
            kind?.$case === 'taskStateChanged' &&
            kind.taskStateChanged.jobId === driverJobId &&
            kind.taskStateChanged.state === ExecutionState.RUNNING
          )
            host = kind.taskStateChanged.taskExecutorId;
        }
        return host !== '' && jobmanager !== '' && (await ready());
      },
      { timeout: 60_000, interval: 200 },
    )
    .toBe(true);
  const { clusterId } = (await controlPlane.client.getApplication({ applicationId })).application!;
  const { client: dispatcher, channel } = connectClient(DispatcherServiceDefinition, jobmanager, {
    clusterSecret: recordedClusterSecret(controlPlane.stateDir, clusterId),
  });
  try {
    const overview = await dispatcher.requestClusterOverview({});
    const pid = overview.taskExecutorInfos.find((info) => info.id === host)?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
  } finally {
    channel.close();
  }
  return driverJobId;
}
