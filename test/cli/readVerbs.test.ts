/**
 * The CLI's read verbs against a real control plane: `status`, `jobs`, `list`, `cluster list` and
 * `watch` with `-o json` print what the control plane answers through reflection (buf curl, the
 * proto3 JSON mapping) for the same RPCs; `run -o json` prints the accepted application; `-s`
 * reaches the control plane; and `list` pages instead of cutting at --limit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import {
  DRIVER_APP,
  driverRequest,
  startTestControlPlane,
  uploadDriverApp,
  type TestControlPlane,
} from '../controlplane/controlPlaneTesting.js';

const execFileAsync = promisify(execFile);

/** What the control plane answers `method` of ClusterClientService with `request`, through reflection, as buf curl prints it. */
async function bufCurl(address: string, method: string, request: object): Promise<string> {
  const { stdout } = await execFileAsync(`${ROOT}node_modules/.bin/buf`, [
    'curl',
    '--protocol',
    'grpc',
    '--http2-prior-knowledge',
    '--reflect',
    '--data',
    JSON.stringify(request),
    `http://${address}/flotilla.v1.ClusterClientService/${method}`,
  ]);
  return stdout;
}

/**
 * `text` parsed, with every timestamp written as toISOString writes it: proto3 JSON lets an instant
 * carry 0, 3, 6 or 9 fractional digits, and buf curl drops ".000" where the CLI (ts-proto) keeps it.
 */
function parseJson(text: string): any {
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)
      ? new Date(value).toISOString()
      : value,
  );
}

/** `flotilla ...args` against `controlPlane`; fails the test unless it exits 0. */
async function cli(controlPlane: TestControlPlane, args: readonly string[]): Promise<string> {
  const result = await runCli(args, controlPlane.env);
  expect(result.code, `flotilla ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The id and status of each item, in order. */
const idsAndStatuses = (items: { id: string; status: string }[] | undefined) =>
  (items ?? []).map(({ id, status }) => ({ id, status }));

describe('flotilla read verbs -o json', () => {
  let controlPlane: TestControlPlane;
  let applicationId: string;

  beforeAll(async () => {
    controlPlane = await startTestControlPlane(tempDir());
    const accepted = await runCli(
      ['run', '-D', '--follow', '-o', 'json', '--name', 'squares', DRIVER_APP, 'squares', '5'],
      controlPlane.env,
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    // The first line is the RunApplication answer; the rest are the events it followed, as JSON lines.
    const [first, ...events] = accepted.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
    expect(first).toMatchObject({ application: { name: 'squares', mode: 'SUBMISSION_MODE_DRIVER' } });
    applicationId = first.application.id as string;
    expect(events.at(-1)).toMatchObject({
      event: { applicationId, applicationStatusChanged: { status: 'APPLICATION_STATUS_FINISHED' } },
    });
  });

  it('status prints the GetApplication answer and the jobs ListJobs answers, as buf curl prints them', async () => {
    const status = parseJson(await cli(controlPlane, ['status', applicationId, '-o', 'json']));
    const got = parseJson(await bufCurl(controlPlane.address, 'GetApplication', { applicationId }));
    expect(got.application).toMatchObject({ id: applicationId, status: 'APPLICATION_STATUS_FINISHED' });
    expect(status.application).toEqual(got.application);
    const listed = parseJson(await bufCurl(controlPlane.address, 'ListJobs', { applicationId }));
    expect(listed.jobs.length).toBe(2); // the driver job and the job main() ran
    expect(status.jobs).toEqual(listed.jobs);

    const table = await cli(controlPlane, ['status', applicationId]);
    expect(table).toMatch(new RegExp(`^Application: +${applicationId} \\(squares\\)$`, 'm'));
    expect(table).toMatch(/^Status: +FINISHED$/m);
    expect(table).toMatch(new RegExp(`^Driver: +${got.application.driverJobId} FINISHED, restarts 0`, 'm'));
  });

  it('jobs prints the ListJobs answer, for an application and for its cluster', async () => {
    const listed = parseJson(await bufCurl(controlPlane.address, 'ListJobs', { applicationId }));
    const jobs = parseJson(await cli(controlPlane, ['jobs', applicationId, '-o', 'json']));
    expect(idsAndStatuses(jobs.jobs)).toEqual(idsAndStatuses(listed.jobs));
    expect(jobs).toEqual(listed);
    const clusterId = listed.jobs[0].clusterId as string;
    const byCluster = parseJson(await cli(controlPlane, ['jobs', '--cluster', clusterId, '-o', 'json']));
    expect(byCluster).toEqual(parseJson(await bufCurl(controlPlane.address, 'ListJobs', { clusterId })));

    const table = (await cli(controlPlane, ['jobs', applicationId])).trim().split('\n');
    expect(table[0].split(/\s+/)).toEqual(['ID', 'NAME', 'STATUS', 'RESTARTS', 'TASKS', 'PRIORITY']);
    expect(
      table
        .slice(1)
        .map((row) => row.split(/\s+/)[0])
        .sort(),
    ).toEqual(listed.jobs.map((job: { id: string }) => job.id).sort());
    const wide = (await cli(controlPlane, ['jobs', applicationId, '-o', 'wide'])).split('\n')[0];
    expect(wide).toMatch(/PRIORITY +APPLICATION +CLUSTER +SUBMITTED +ENDED +FAILURE$/);
  });

  it('list and cluster list print the ListApplications and ListClusters answers', async () => {
    const list = parseJson(await cli(controlPlane, ['list', '-o', 'json']));
    const applications = parseJson(await bufCurl(controlPlane.address, 'ListApplications', {}));
    expect(idsAndStatuses(list.applications)).toEqual(idsAndStatuses(applications.applications));
    expect(list).toEqual(applications);
    const clusters = parseJson(await cli(controlPlane, ['cluster', 'list', '-o', 'json']));
    const listedClusters = parseJson(await bufCurl(controlPlane.address, 'ListClusters', {}));
    expect(idsAndStatuses(clusters.clusters)).toEqual(idsAndStatuses(listedClusters.clusters));
    expect(clusters).toEqual(listedClusters);
  });

  it('watch -o json prints each WatchApplication response as a JSON line', async () => {
    const lines = (await runCli(['watch', applicationId, '-o', 'json'], controlPlane.env)).stdout.trim().split('\n');
    const events = lines.map((line) => JSON.parse(line) as { event: { sequence: string; applicationId: string } });
    expect(events.map(({ event }) => event.sequence)).toEqual(events.map((_, index) => String(index + 1)));
    expect(events.every(({ event }) => event.applicationId === applicationId)).toBe(true);
  });

  it('-o refuses a format the verb does not print', async () => {
    const result = await runCli(['watch', applicationId, '-o', 'wide'], controlPlane.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/-o\/--output must be text or json, got "wide"/);
  });

  it('run -s sends the savepoint: the control plane answers that it cannot restore one yet', async () => {
    const result = await runCli(['run', '-D', '-s', '/savepoints/savepoint-1', '-n', DRIVER_APP], controlPlane.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/savepoint/);
    expect(result.stdout).toBe('');
  });
});

describe('flotilla list paging', () => {
  it('shows 60 applications with --all when 60 exist, and says when a page leaves some out', async () => {
    const controlPlane = await startTestControlPlane(tempDir(), undefined, [
      '--deployment-target',
      'simulated',
      '--simulated-jobs',
      '0',
    ]);
    const artifactId = await uploadDriverApp(controlPlane.address);
    const ids: string[] = [];
    for (let index = 0; index < 60; index++)
      ids.push((await controlPlane.client.runApplication(driverRequest(artifactId))).application!.id);

    const rows = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(/\s+/)[0]);
    const firstPage = await runCli(['list'], controlPlane.env);
    expect(firstPage.code).toBe(0);
    expect(rows(firstPage.stdout)).toHaveLength(50);
    const more = /--page-token (\S+)/.exec(firstPage.stderr);
    expect(more, firstPage.stderr).not.toBeNull();
    const secondPage = await runCli(['list', '--page-token', more![1]], controlPlane.env);
    expect(rows(secondPage.stdout)).toHaveLength(10);
    expect(secondPage.stderr).not.toMatch(/--page-token/);
    expect(new Set([...rows(firstPage.stdout), ...rows(secondPage.stdout)])).toEqual(new Set(ids));

    const all = await runCli(['list', '--all'], controlPlane.env);
    expect(all.code).toBe(0);
    expect(new Set(rows(all.stdout))).toEqual(new Set(ids));
    expect(rows(all.stdout)).toHaveLength(60);
    expect(all.stderr).toBe('');
    const allJson = parseJson((await runCli(['list', '--all', '--limit', '7', '-o', 'json'], controlPlane.env)).stdout);
    expect(allJson.applications).toHaveLength(60);
    expect(allJson.nextPageToken).toBeUndefined();
  });
});
