/**
 * Savepoints, stop and restore of whole applications (issue 16, parts 3 and 4), through the CLI on
 * real processes: a control plane deploys a cluster per application, whose driver starts two keyed
 * streaming jobs with executeAsync() and returns (test/e2e/fixtures/counter: word counts and line
 * counts over files that appear in watched folders), so the application stays RUNNING.
 *
 * - `flotilla stop APP --savepoint DIR` stops both jobs with a savepoint and the application ends;
 *   `flotilla run -D -s PATH` of a new version of the bundle that adds stateless operators
 *   continues every count from the savepoint (compared with the input); a version that removes the
 *   stateful operator "line-total" is refused without `-n` and runs with it.
 * - The same savepoint restores each job by name in application, per-job and session modes too.
 * - `flotilla run -D -r` after the application's cluster was lost (kill -9 of its job manager, the
 *   application FAILED) resumes both jobs from their latest retained checkpoints.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, JobStatus } from '../../generated/flotilla/v1/status.js';
import { clusterProcesses, startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

const FIXTURE = join(ROOT, 'test/e2e/fixtures/counter');
const NAME = 'e2e-counter';
const VOCABULARY = Array.from({ length: 12 }, (_, i) => `w${i}`);

/** A copy of the counter bundle as version `version` (test/e2e/fixtures/counter/version.js says what each flag does). */
function bundle(version: { stateless?: boolean; dropTotal?: boolean }): string {
  const folder = join(tempDir('flotilla-counter-'), 'counter');
  cpSync(FIXTURE, folder, { recursive: true });
  const flags = { stateless: false, dropTotal: false, ...version };
  writeFileSync(join(folder, 'version.js'), `export const VERSION = ${JSON.stringify(flags)};\n`);
  return folder;
}

/** The input folders the jobs watch, and what was written to them so far. */
interface Input {
  folder: string;
  words: string[];
  lines: string[];
  /** The words and lines of the latest batch. */
  latest: { words: string[]; lines: string[] };
}

function newInput(): Input {
  const folder = sharedDir('flotilla-counter-in-');
  for (const sub of ['words', 'lines']) mkdirSync(join(folder, sub), { mode: 0o755 });
  return { folder, words: [], lines: [], latest: { words: [], lines: [] } };
}

/** Adds batch `batch` to the input: a words file and a lines file, each moved in whole. */
function addBatch(input: Input, batch: number): void {
  const words = Array.from({ length: 40 }, (_, i) => VOCABULARY[(i * 7 + batch * 5 + ((i * batch) % 3)) % 12]);
  const lines = Array.from({ length: 10 }, (_, i) => `line ${(i + batch) % 6}`);
  for (const [sub, text] of [
    ['words', `${words.slice(0, 20).join(' ')}\n${words.slice(20).join(' ')}\n`],
    ['lines', `${lines.join('\n')}\n`],
  ] as const) {
    const hidden = join(input.folder, sub, `.batch-${batch}`);
    writeFileSync(hidden, text, { mode: 0o644 });
    renameSync(hidden, join(input.folder, sub, `batch-${batch}`));
  }
  input.words.push(...words);
  input.lines.push(...lines);
  input.latest = { words, lines };
}

/** The counts of `all`, of the keys in `latest` only: what a run restored after the earlier batches commits. */
function restrictedTo(all: Map<string, number>, latest: readonly string[]): Map<string, number> {
  return new Map([...all].filter(([key]) => latest.includes(key)));
}

/** How often each value occurs in `values`. */
function tally(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** The committed records (JSON [key, count] lines) of a sink's folder: hidden pending and in-progress files left out. */
function committed(folder: string): [string, number][] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.startsWith('part-'))
    .flatMap((name) => readFileSync(join(folder, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as [string, number]);
}

/** The highest and lowest count committed for each key. */
function countRanges(folder: string): Map<string, { min: number; max: number }> {
  const ranges = new Map<string, { min: number; max: number }>();
  for (const [key, count] of committed(folder)) {
    const range = ranges.get(key);
    ranges.set(key, { min: Math.min(range?.min ?? count, count), max: Math.max(range?.max ?? count, count) });
  }
  return ranges;
}

/** The highest count committed for each key. */
const finalCounts = (folder: string) => new Map([...countRanges(folder)].map(([key, { max }]) => [key, max]));

/** Waits until the sink in `folder` committed exactly `expected` as each key's highest count. */
async function expectCounts(folder: string, expected: Map<string, number>): Promise<void> {
  await expect.poll(() => finalCounts(folder), { timeout: 60_000, interval: 250 }).toEqual(expected);
}

/** Runs the counter with `flags` in driver mode; resolves with the application id once it was accepted. */
async function runCounter(
  controlPlane: TestControlPlane,
  folder: string,
  input: Input,
  output: string,
  flags: string[] = [],
): Promise<string> {
  const run = await runCli(
    ['run', '-D', '--slots', '5', '--name', NAME, ...flags, folder, input.folder, output],
    controlPlane.env,
  );
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** Waits until both jobs of the application are RUNNING, as the control plane records them. */
async function bothJobsRunning(controlPlane: TestControlPlane, applicationId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const { jobs } = await controlPlane.client.listJobs({
          pageSize: 10,
          pageToken: '',
          applicationId,
          clusterId: '',
        });
        return jobs
          .filter((job) => !job.name.endsWith(': driver'))
          .map((job) => `${job.name} ${JobStatus[job.status]}`)
          .sort();
      },
      { timeout: 60_000, interval: 250 },
    )
    .toEqual([`${NAME}: line counts RUNNING`, `${NAME}: word counts RUNNING`]);
}

/** The line counts' expected highest counts: each line's, and (unless dropped) the running total's. */
function lineCounts(input: Input, withTotal: boolean): Map<string, number> {
  return withTotal ? new Map([['total', input.lines.length]]) : tally(input.lines);
}

/**
 * Runs the counter's first version in driver mode over a first batch until both jobs committed
 * its counts, then stops it with `flotilla stop --savepoint`; resolves with what the test goes on from.
 */
async function runAndStopWithSavepoint(): Promise<{
  controlPlane: TestControlPlane;
  input: Input;
  applicationId: string;
  /** Each word's count at the savepoint. */
  afterFirst: Map<string, number>;
  savepoints: string;
  savepoint: string;
}> {
  const controlPlane = await startControlPlane();
  const input = newInput();
  const savepoints = sharedDir('flotilla-savepoints-');
  const first = sharedDir('flotilla-counter-out-');
  addBatch(input, 1);
  const applicationId = await runCounter(controlPlane, bundle({}), input, first);
  await bothJobsRunning(controlPlane, applicationId);
  await expectCounts(join(first, 'words'), tally(input.words));
  await expectCounts(join(first, 'lines'), lineCounts(input, true));
  const stopped = await runCli(['stop', applicationId, '--savepoint', savepoints], controlPlane.env);
  expect(stopped.code, stopped.stderr).toBe(0);
  return {
    controlPlane,
    input,
    applicationId,
    afterFirst: tally(input.words),
    savepoints,
    savepoint: stopped.stdout.trim(),
  };
}

describe('flotilla stop --savepoint and run -s', () => {
  it('stops both jobs with a savepoint; a new version continues the counts; one without a stateful operator needs -n', async () => {
    const { controlPlane, input, applicationId, afterFirst, savepoints, savepoint } = await runAndStopWithSavepoint();
    expect(savepoint).toMatch(new RegExp(`^${savepoints}/app-savepoint-[0-9a-z]{8}-[0-9a-f]{8}$`));
    const manifest = JSON.parse(readFileSync(join(savepoint, '_application'), 'utf8'));
    expect(manifest).toMatchObject({ applicationId, name: NAME });
    expect(manifest.jobs.map((job: { jobName: string }) => job.jobName).sort()).toEqual(['line counts', 'word counts']);
    await watchAll(controlPlane.client, applicationId, 0, true);
    // The stop's event is recorded once every job answered, which may be after the application's end: read what is stored.
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.status).toBe(ApplicationStatus.FINISHED);
    expect(application!.lastSavepoint?.path).toBe(savepoint);
    expect(
      events.some(
        (event) =>
          event.kind?.$case === 'applicationSavepointCompleted' &&
          event.kind.applicationSavepointCompleted.message === `stopped with savepoint ${savepoint}`,
      ),
    ).toBe(true);
    const status = await runCli(['status', applicationId, '-o', 'json'], controlPlane.env);
    expect(JSON.parse(status.stdout).application.lastSavepoint.path).toBe(savepoint);

    // A new version with stateless operators added, from the savepoint: the counts go on from there.
    addBatch(input, 2);
    const second = sharedDir('flotilla-counter-out-');
    const v2 = await runCounter(controlPlane, bundle({ stateless: true }), input, second, ['-s', savepoint]);
    // Only words of the second batch are counted again, each from its count at the savepoint on.
    await expectCounts(join(second, 'words'), restrictedTo(tally(input.words), input.latest.words));
    await expectCounts(join(second, 'lines'), lineCounts(input, true));
    // Nothing was counted from zero: each word's first count after the restore follows its count at the savepoint.
    for (const [word, { min }] of countRanges(join(second, 'words')))
      expect(min, `the first count of ${word} after the restore`).toBe((afterFirst.get(word) ?? 0) + 1);
    expect(countRanges(join(second, 'lines')).get('total')?.min).toBe(11);
    expect(await runCli(['cancel', v2], controlPlane.env)).toMatchObject({ code: 0 });
    await watchAll(controlPlane.client, v2, 0, true);

    // A version without the stateful operator "line-total": refused without -n ...
    const third = sharedDir('flotilla-counter-out-');
    const refused = await runCounter(controlPlane, bundle({ dropTotal: true }), input, third, ['-s', savepoint]);
    await watchAll(controlPlane.client, refused, 0, true);
    const refusal = (await controlPlane.client.getApplication({ applicationId: refused })).application!;
    expect(refusal.status).toBe(ApplicationStatus.FAILED);
    expect(JSON.stringify(refusal.failure)).toMatch(/line-total/);
    // ... and runs with it, the word counts going on from the savepoint.
    const allowed = await runCounter(controlPlane, bundle({ dropTotal: true }), input, third, ['-s', savepoint, '-n']);
    await bothJobsRunning(controlPlane, allowed);
    await expectCounts(join(third, 'words'), restrictedTo(tally(input.words), input.latest.words));
    await expectCounts(join(third, 'lines'), restrictedTo(lineCounts(input, false), input.latest.lines));
    expect(await runCli(['cancel', allowed], controlPlane.env)).toMatchObject({ code: 0 });
    await watchAll(controlPlane.client, allowed, 0, true);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 10_000, interval: 100 }).toEqual([]);
  }, 240_000);

  it('restores each job by name from the application savepoint in application, per-job and session modes too', async () => {
    const { controlPlane, input, applicationId, afterFirst, savepoint } = await runAndStopWithSavepoint();
    await watchAll(controlPlane.client, applicationId, 0, true);
    addBatch(input, 2);

    // Each mode runs the new version from the same savepoint into an output of its own: the same counts.
    const started = await runCli(['cluster', 'start', '--task-executors', '1', '--slots', '5'], controlPlane.env);
    expect(started.code, started.stderr).toBe(0);
    const sharedCluster = started.stdout.trim();
    for (const mode of [
      ['--target', 'application', '--slots', '5'],
      ['--target', 'per-job', '-d', '--slots', '5'],
      ['--cluster', sharedCluster, '-d'],
    ]) {
      const output = sharedDir('flotilla-counter-out-');
      const name = `${NAME}-${mode[1]}`;
      const run = await runCli(
        ['run', ...mode, '--name', name, '-s', savepoint, bundle({ stateless: true }), input.folder, output],
        controlPlane.env,
      );
      expect(run.code, `${mode.join(' ')}: ${run.stderr}`).toBe(0);
      const { applications } = await controlPlane.client.listApplications({
        pageSize: 100,
        pageToken: '',
        statuses: [],
      });
      const restored = applications.find((application) => application.name === name)!;
      expect(restored, mode.join(' ')).toBeDefined();
      await expectCounts(join(output, 'words'), restrictedTo(tally(input.words), input.latest.words));
      await expectCounts(join(output, 'lines'), lineCounts(input, true));
      for (const [word, { min }] of countRanges(join(output, 'words')))
        expect(min, `${mode.join(' ')}: the first count of ${word} after the restore`).toBe(
          (afterFirst.get(word) ?? 0) + 1,
        );
      expect(countRanges(join(output, 'lines')).get('total')?.min).toBe(11);
      expect(await runCli(['cancel', restored.id], controlPlane.env)).toMatchObject({ code: 0 });
      await watchAll(controlPlane.client, restored.id, 0, true);
    }
    expect(await runCli(['cluster', 'stop', sharedCluster], controlPlane.env)).toMatchObject({ code: 0 });
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 20_000, interval: 100 }).toEqual([]);
  }, 240_000);

  it('refuses bad savepoint requests with a message saying what to do', async () => {
    const controlPlane = await startControlPlane();
    const unknown = await runCli(['savepoint', 'app-nope', '/tmp'], controlPlane.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/application "app-nope" is not known/);
    const input = newInput();
    const applicationId = await runCounter(controlPlane, bundle({}), input, sharedDir('flotilla-counter-out-'));
    await bothJobsRunning(controlPlane, applicationId);
    const noDir = await runCli(['savepoint', applicationId], controlPlane.env);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/was not run with -Dstate.savepoints.dir=DIR/);
    const notAbsolute = await runCli(['stop', applicationId, '--savepoint', 'savepoints'], controlPlane.env);
    expect(notAbsolute.stderr).toMatch(/"savepoints" is not an absolute path/);
    const missing = await runCli(
      ['run', '-D', '--name', NAME, '-s', '/nonexistent/savepoint', bundle({}), input.folder, '/tmp/out'],
      controlPlane.env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /savepoint.path "\/nonexistent\/savepoint" is not a folder the control plane can read/,
    );
    expect(await runCli(['cancel', applicationId], controlPlane.env)).toMatchObject({ code: 0 });
    await watchAll(controlPlane.client, applicationId, 0, true);
  }, 120_000);
});

describe('flotilla run -r', () => {
  it('resumes from the latest retained checkpoints after the cluster was lost', async () => {
    const controlPlane = await startControlPlane();
    const input = newInput();
    const checkpoints = sharedDir('flotilla-checkpoints-');
    const first = sharedDir('flotilla-counter-out-');
    const folder = bundle({});
    addBatch(input, 1);
    const applicationId = await runCounter(controlPlane, folder, input, first, [
      `-Dstate.checkpoints.dir=${checkpoints}`,
    ]);
    await bothJobsRunning(controlPlane, applicationId);
    // Committed output follows a completed checkpoint that covers it.
    await expectCounts(join(first, 'words'), tally(input.words));
    await expectCounts(join(first, 'lines'), lineCounts(input, true));
    const afterFirst = tally(input.words);
    const clusterId = (await controlPlane.client.getApplication({ applicationId })).application!.clusterId;
    const jobManager = clusterProcesses(controlPlane.stateDir).find((pid) => {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return args.includes(clusterId) && args.split('\0').includes('jobmanager');
    });
    expect(jobManager).toBeGreaterThan(0);
    process.kill(jobManager!, 'SIGKILL');
    await watchAll(controlPlane.client, applicationId, 0, true);
    expect((await controlPlane.client.getApplication({ applicationId })).application!.status).toBe(
      ApplicationStatus.FAILED,
    );

    addBatch(input, 2);
    const second = sharedDir('flotilla-counter-out-');
    const resumed = await runCounter(controlPlane, folder, input, second, [
      '-r',
      `-Dstate.checkpoints.dir=${checkpoints}`,
    ]);
    const [accepted] = await watchAll(controlPlane.client, resumed, 0, false);
    expect(
      accepted.kind?.$case === 'applicationStatusChanged' && accepted.kind.applicationStatusChanged.message,
    ).toMatch(`from the latest checkpoints of application ${applicationId}`);
    await expectCounts(join(second, 'words'), restrictedTo(tally(input.words), input.latest.words));
    await expectCounts(join(second, 'lines'), lineCounts(input, true));
    for (const [word, { min }] of countRanges(join(second, 'words')))
      expect(min, `the first count of ${word} after resuming`).toBe((afterFirst.get(word) ?? 0) + 1);
    expect(countRanges(join(second, 'lines')).get('total')?.min).toBe(11);
    expect(await runCli(['cancel', resumed], controlPlane.env)).toMatchObject({ code: 0 });
    await watchAll(controlPlane.client, resumed, 0, true);
  }, 180_000);
});
