/**
 * Fault: the disk of the control plane's state dir stops taking writes (full, or turned read-only)
 * while the control plane runs. Without root there is no small file system to fill or remount, so
 * the test sets the running control plane's RLIMIT_FSIZE to 0 (`prlimit --pid`, which works for
 * any user on their own processes): from then on every write it makes to a file fails, SQLite's
 * included, as on a full disk, and raising the limit again is space coming back.
 * Promised: submissions fail with a status that says the state cannot be written (not INTERNAL);
 * reads still answer; the control plane does not crash; an application that was running goes on
 * and nothing it reported is lost; once writes work again, service resumes without a restart; and
 * the SQLite file opens and checks fine, with every earlier application intact.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Status } from 'nice-grpc';
import { afterAll, describe, expect, it } from 'vitest';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { dispatcherClient } from '../support/cluster.js';
import { clusterProcesses } from '../support/controlPlane.js';
import { ROOT } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';
import {
  driverRequest,
  endedApplication,
  recordedClusterSecret,
  startTestControlPlane,
  uploadDriverApp,
  watchAll,
  wholeLog,
  type TestControlPlane,
} from '../controlplane/controlPlaneTesting.js';

/** Sets the largest file `pid` may write (its soft RLIMIT_FSIZE); 'unlimited' lifts it. */
function limitFileWrites(pid: number, bytes: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:unlimited`]);
}

/** What a refused call must say: that the control plane's state cannot be written. */
const CANNOT_WRITE = /cannot write its state/;

let controlPlane: TestControlPlane | undefined;
afterAll(async () => {
  if (controlPlane?.process.child.exitCode === null) limitFileWrites(controlPlane.process.child.pid!, 'unlimited');
  await controlPlane?.stop();
});

describe('the state dir’s disk stops taking writes', () => {
  it('refuses submissions clearly, keeps serving reads and running applications, corrupts nothing, and resumes when writes work again', async () => {
    controlPlane = await startTestControlPlane();
    const { client, stateDir } = controlPlane;
    const pid = controlPlane.process.child.pid!;
    const artifactId = await uploadDriverApp(controlPlane.process.address);
    const earlier = (
      await client.runApplication(driverRequest(artifactId, { name: 'earlier', args: ['squares', '5'] }))
    ).application!;
    expect((await endedApplication(client, earlier.id)).status).toBe(ApplicationStatus.FINISHED);
    const earlierEvents = await wholeLog(client, earlier.id);
    // An application that waits for a file between two jobs: it runs on while writes fail.
    const go = join(sharedDir(), 'go');
    const running = (
      await client.runApplication(
        driverRequest(artifactId, {
          name: 'running',
          entry: '#steps',
          args: ['squares', '3', 'await', go, 'squares', '4'],
        }),
      )
    ).application!;
    await expect
      .poll(async () => (await client.getApplication({ applicationId: running.id })).application!.status, {
        timeout: 60_000,
      })
      .toBe(ApplicationStatus.RUNNING);

    limitFileWrites(pid, 0);
    try {
      await expect(client.runApplication(driverRequest(artifactId, { name: 'refused' }))).rejects.toMatchObject({
        code: expect.toBeOneOf([Status.RESOURCE_EXHAUSTED, Status.FAILED_PRECONDITION, Status.UNAVAILABLE]),
        details: expect.stringMatching(CANNOT_WRITE),
      });
      await expect(client.deployCluster({ name: 'refused', spec: undefined, requestId: '' })).rejects.toMatchObject({
        details: expect.stringMatching(CANNOT_WRITE),
      });
      await expect(uploadDriverApp(controlPlane.process.address, join(ROOT, 'test/e2e/fixtures/apps'))).rejects.toThrow(
        CANNOT_WRITE,
      );
      // Reads answer from what is stored.
      expect((await client.getApplication({ applicationId: earlier.id })).application!.status).toBe(
        ApplicationStatus.FINISHED,
      );
      expect(await watchAll(client, earlier.id, 0, false)).toEqual(earlierEvents);
      // The running application goes on to its end on its cluster while its events cannot be stored yet.
      writeFileSync(go, '');
      const { clusterId } = (await client.getApplication({ applicationId: running.id })).application!;
      const { jobmanagerAddress } = (await client.getCluster({ clusterId })).cluster!;
      const dispatcher = dispatcherClient(jobmanagerAddress, recordedClusterSecret(controlPlane.stateDir, clusterId));
      await expect
        .poll(
          async () =>
            (({ jobsRunning, jobsFinished }) => ({ jobsRunning, jobsFinished }))(
              await dispatcher.requestClusterOverview({}),
            ),
          { timeout: 60_000, interval: 200 },
        )
        .toEqual({ jobsRunning: 0, jobsFinished: 3 });
      expect((await client.getApplication({ applicationId: running.id })).application!.status).toBe(
        ApplicationStatus.RUNNING,
      );
      expect(controlPlane.process.child.exitCode).toBeNull();
    } finally {
      limitFileWrites(pid, 'unlimited');
    }

    // Writes work again: what the running application did is caught up, and new work is taken.
    const ended = await endedApplication(client, running.id);
    expect(ended.status).toBe(ApplicationStatus.FINISHED);
    await wholeLog(client, running.id);
    let driverLog = '';
    for await (const piece of client.readDriverLog({ applicationId: running.id, offset: 0n, follow: true }))
      driverLog += piece.data.toString();
    expect(driverLog).toBe('sum of squares: 14\nsum of squares: 30\n');
    const after = (await client.runApplication(driverRequest(artifactId, { name: 'after', args: ['squares', '6'] })))
      .application!;
    expect((await endedApplication(client, after.id)).status).toBe(ApplicationStatus.FINISHED);
    await wholeLog(client, after.id);
    expect(await watchAll(client, earlier.id, 0, false)).toEqual(earlierEvents);
    await expect.poll(() => clusterProcesses(stateDir), { timeout: 30_000, interval: 200 }).toEqual([]);

    // Stopped, its database opens and checks clean, with every application in it.
    expect(await controlPlane.stop()).toBe(0);
    expect(existsSync(join(stateDir, 'state.db'))).toBe(true);
    const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const rows = db.prepare('SELECT id, status FROM applications ORDER BY id').all() as {
        id: string;
        status: string;
      }[];
      expect(new Map(rows.map((row) => [row.id, row.status]))).toEqual(
        new Map([
          [earlier.id, 'FINISHED'],
          [running.id, 'FINISHED'],
          [after.id, 'FINISHED'],
        ]),
      );
    } finally {
      db.close();
    }
  }, 240_000);
});
