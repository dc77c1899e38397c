/**
 * Clients of a control plane of several replicas (issue 14 part 4), on real processes: replicas are
 * `flotilla controlplane --store postgresql://…` processes on one throwaway PostgreSQL database
 * (test/support/postgresServer.ts) sharing one --artifact-dir, and the client is the CLI given all
 * their addresses (`--controlplane a,b,c` through FLOTILLA_CONTROLPLANE).
 *
 * - `flotilla run -D --follow` through a list of three addresses whose first replica is down (killed
 *   with -9) runs the wordcount example to FINISHED on the next one, and the other client verbs
 *   (status, logs, list) work through the same list.
 * - The same submission with the same request id, sent to two replicas at once, gives one
 *   application: from two CLI processes, and as a burst of RunApplication calls of twenty request
 *   ids on both replicas at once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { driverRequest, uploadDriverApp } from '../controlplane/controlPlaneTesting.js';
import { partLines } from '../support/applicationOutcome.js';
import { clusterProcesses, startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import { finalStatus } from '../support/applicationOutcome.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

/** `count` replicas on one new database, sharing one artifact folder; `args` added to each command line. */
async function startReplicas(count: number, args: string[] = []): Promise<TestControlPlane[]> {
  const store = await server.createDatabase();
  const artifactDir = tempDir('flotilla-artifacts-');
  const replicas: TestControlPlane[] = [];
  // One after the other: the first migrates the database, the others find it migrated.
  for (let index = 0; index < count; index++)
    replicas.push(await startControlPlane(['--store', store, '--artifact-dir', artifactDir, ...args]));
  return replicas;
}

describe('a client given several replicas', () => {
  it('runs -D --follow to FINISHED through a list of three addresses whose first replica is down', async () => {
    const [dead, second, third] = await startReplicas(3);
    await dead!.stop('SIGKILL');
    const env = { FLOTILLA_CONTROLPLANE: [dead!.address, second!.address, third!.address].join(',') };
    const output = join(sharedDir(), 'ranking');

    const run = await runCli(['run', '-D', '--follow', EXAMPLE, '4', output], env);
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    expect(partLines(output)).toEqual(['to 6', 'the 3', 'and 2', 'be 2']);
    // The replica after the dead one took it: its events are whole, from 1.
    const events = await watchAll(second!.client, applicationId, 0, false);
    expect(finalStatus(events)).toBe(ApplicationStatus.FINISHED);
    expect(events.map((event) => Number(event.sequence))).toEqual(events.map((_, index) => index + 1));

    const status = await runCli(['status', applicationId], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('FINISHED');
    expect((await runCli(['logs', applicationId], env)).stdout).toContain('wrote the top 4 words to');
    expect((await runCli(['list'], env)).stdout).toMatch(new RegExp(`${applicationId}.*FINISHED`));
    await expect.poll(() => clusterProcesses(second!.stateDir), { timeout: 10_000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('says that none answers when every replica of the list is down', async () => {
    const replicas = await startReplicas(2);
    for (const replica of replicas) await replica.stop('SIGKILL');
    const list = replicas.map((replica) => replica.address).join(',');
    const listed = await runCli(['list'], { FLOTILLA_CONTROLPLANE: list });
    expect(listed.code).toBe(3);
    expect(listed.stderr).toContain(`cannot reach the control plane at ${list} (none of its replicas answers)`);
  });

  it('gives one application for the same submission with the same request id sent to two replicas at once', async () => {
    const replicas = await startReplicas(2, ['--deployment-target', 'simulated', '--simulated-event-interval', '0']);
    const [first, second] = replicas as [TestControlPlane, TestControlPlane];

    // Two CLI processes, one per replica, with one request id.
    const [a, b] = await Promise.all(
      [first, second].map((replica) =>
        runCli(['run', '-D', '--request-id', 'cli-request-1', EXAMPLE, '4', '/tmp/unused'], replica.env),
      ),
    );
    expect([a!.code, b!.code]).toEqual([0, 0]);
    expect(a!.stdout.trim()).toMatch(/^app-/);
    expect(b!.stdout.trim()).toBe(a!.stdout.trim());

    // A burst: twenty request ids, each sent to both replicas at the same moment.
    const artifactIds = await Promise.all(replicas.map((replica) => uploadDriverApp(replica.address)));
    expect(artifactIds[1]).toBe(artifactIds[0]);
    const requestIds = Array.from({ length: 20 }, (_, index) => `burst-${index}`);
    const answers = await Promise.all(
      requestIds.map((requestId) =>
        Promise.all(
          replicas.map((replica) => replica.client.runApplication(driverRequest(artifactIds[0]!, { requestId }))),
        ),
      ),
    );
    for (const [onFirst, onSecond] of answers) {
      expect(onSecond!.application!.id).toBe(onFirst!.application!.id);
      // One of the two made it, the other found it.
      expect([onFirst!.deduplicated, onSecond!.deduplicated].sort()).toEqual([false, true]);
    }
    for (const replica of replicas) {
      const { applications } = await replica.client.listApplications({ pageSize: 1000, pageToken: '', statuses: [] });
      expect(applications).toHaveLength(1 + requestIds.length);
      expect(new Set(applications.map((application) => application.requestId))).toEqual(
        new Set(['cli-request-1', ...requestIds]),
      );
    }
    // Nothing failed on the way (a unique violation, a unit rolled back): no replica logged an error.
    for (const replica of replicas) expect(replica.process.stderr()).not.toMatch(/"level":(50|60)/);
  }, 120_000);
});
