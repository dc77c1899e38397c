/**
 * A control plane on PostgreSQL, end to end on real processes: `flotilla controlplane --store
 * postgresql://…` against a throwaway PostgreSQL 15 server (test/support/postgresServer.ts) runs a
 * driver-mode application to FINISHED, is killed with SIGKILL, and a new process on the same
 * database (named by FLOTILLA_STORE this time) still lists the application and replays the same
 * events from sequence 0 and the same driver log. Nothing of the state is in the state dir: the records are in the
 * database, the bundle in --artifact-dir. And many applications at once (simulated clusters) all
 * end FINISHED with whole event logs, with units of work running concurrently on the pool.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, JobStatus } from '../../generated/flotilla/v1/status.js';
import { finalStatus, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { clusterProcesses, startControlPlane, watchAll } from '../support/controlPlane.js';
import { describeEvent, driverRequest, uploadDriverApp, wholeLog } from '../controlplane/controlPlaneTesting.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('flotilla controlplane --store postgresql://…', () => {
  it('runs a driver-mode application to FINISHED; after kill -9 a new process on the database lists it with the same events', async () => {
    const store = await server.createDatabase();
    const stateDir = tempDir('flotilla-cp-');
    const artifactDir = tempDir('flotilla-artifacts-');
    const first = await startControlPlane(['--store', store, '--artifact-dir', artifactDir], stateDir);
    const output = join(sharedDir(), 'ranking');
    const run = await runCli(['run', '-D', '--follow', EXAMPLE, '4', output], first.env);
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    expect(partLines(output)).toEqual(['to 6', 'the 3', 'and 2', 'be 2']);
    const events = await watchAll(first.client, applicationId, 0, false);
    expect(finalStatus(events)).toBe(ApplicationStatus.FINISHED);
    expect(jobStatuses(events).get('wordcount-example: write ranking')).toBe(JobStatus.FINISHED);
    expect(events.map((event) => Number(event.sequence))).toEqual(events.map((_, index) => index + 1));
    await expect.poll(() => clusterProcesses(stateDir), { timeout: 5000, interval: 100 }).toEqual([]);
    const log = await runCli(['logs', applicationId], first.env);
    expect(log.stdout).toContain('wrote the top 4 words to');

    await first.stop('SIGKILL');
    expect(first.process.child.signalCode).toBe('SIGKILL');
    // The state is in the database, the bundle in --artifact-dir: the state dir holds neither.
    expect(existsSync(join(stateDir, 'state.db'))).toBe(false);
    expect(existsSync(join(stateDir, 'artifacts'))).toBe(false);
    expect(readdirSync(join(artifactDir, 'sha256')).length).toBe(1);

    const second = await startControlPlane([], stateDir, { FLOTILLA_STORE: store, FLOTILLA_ARTIFACT_DIR: artifactDir });
    const { applications } = await second.client.listApplications({});
    expect(applications.map((application) => [application.id, application.status])).toEqual([
      [applicationId, ApplicationStatus.FINISHED],
    ]);
    expect(await watchAll(second.client, applicationId, 0, false)).toEqual(events);
    // The driver's output was copied into the database too.
    expect((await runCli(['logs', applicationId], second.env)).stdout).toBe(log.stdout);
    const listed = await runCli(['list'], second.env);
    expect(listed.stdout).toMatch(new RegExp(`${applicationId}.*FINISHED`));
  }, 120_000);

  it('runs 60 applications submitted at once on simulated clusters to FINISHED, each with its whole event log', async () => {
    const controlPlane = await startControlPlane([
      '--store',
      await server.createDatabase(),
      '--deployment-target',
      'simulated',
      '--simulated-event-interval',
      '0',
    ]);
    const artifactId = await uploadDriverApp(controlPlane.address);
    const ids = await Promise.all(
      Array.from(
        { length: 60 },
        async () => (await controlPlane.client.runApplication(driverRequest(artifactId))).application!.id,
      ),
    );
    for (const id of ids) {
      expect(describeEvent((await watchAll(controlPlane.client, id, 0, true)).at(-1)!)).toBe('application FINISHED');
      const events = await wholeLog(controlPlane.client, id);
      expect(events.filter((event) => event.kind?.$case === 'applicationStatusChanged').map(describeEvent)).toEqual([
        'application DEPLOYING',
        'application RUNNING',
        'application FINISHED',
      ]);
    }
    // No unit failed on the way (a deadlock, a transaction PostgreSQL rolled back): nothing was logged as an error.
    expect(controlPlane.process.stderr()).not.toMatch(/"level":(50|60)/);
  }, 120_000);

  it('refuses a --store that is not a PostgreSQL URL, and says which database it cannot reach', async () => {
    const wrong = await runCli(['controlplane', '--state-dir', tempDir(), '--store', 'mysql://u:secret@host/db']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('--store must be a postgresql://USER@HOST:PORT/DATABASE URL');
    expect(wrong.stderr).not.toContain('secret');
    const closedPort = `postgresql://flotilla:secret@127.0.0.1:${server.port}/no_such_database`;
    const missing = await runCli([
      'controlplane',
      '--listen',
      '127.0.0.1:0',
      '--state-dir',
      tempDir(),
      '--store',
      closedPort,
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      `the control plane cannot use its PostgreSQL database at postgresql://flotilla:***@127.0.0.1:${server.port}/no_such_database: the database does not exist`,
    );
    expect(missing.stderr).not.toContain('secret');
  });
});
