/**
 * Progress where people wait (issue 17 part 7), from real runs of the CLI against a real control
 * plane deploying real local clusters: a bundle upload (bytes sent out of the total), a cluster
 * deploying (task executors ready out of the total, carried by the cluster's events and by
 * GetCluster) and an application followed (status and time on a spinner line). Piped, the CLI
 * writes plain lines and no escape; on a pseudo-terminal it draws progress in place on stderr, and
 * the screen it leaves holds every event line whole; stdout of `-o json` stays pure JSON; --quiet
 * draws nothing.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { describeEvent } from '../../src/client/describeEvent.js';
import { formatBytes } from '../../src/cli/output/progress.js';
import { startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { renderTerminal, runCliInTerminal } from '../support/terminal.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const TIME = /^\d\d:\d\d:\d\d\.\d{3} /;

/** A copy of the wordcount example no control plane has seen, with 3 MiB that do not compress, so its upload takes several chunks. */
function freshBundle(): string {
  const folder = join(tempDir('flotilla-progress-bundle-'), 'wordcount');
  cpSync(join(ROOT, 'examples/wordcount'), folder, { recursive: true });
  writeFileSync(join(folder, 'ballast.bin'), randomBytes(3 * 1048576));
  return folder;
}

/** The lines `flotilla watch` prints for `events`, without their times. */
const eventLines = (events: readonly ApplicationEvent[]) =>
  events.map(describeEvent).filter((line): line is string => line !== undefined);

/** The cluster readiness the events of an owned cluster carry: status, registered, total. */
const clusterProgress = (events: readonly ApplicationEvent[]) =>
  events.flatMap((event) =>
    event.kind?.$case === 'clusterStatusChanged'
      ? [
          {
            status: ClusterStatus[event.kind.clusterStatusChanged.status],
            registered: event.kind.clusterStatusChanged.registeredTaskExecutors,
            total: event.kind.clusterStatusChanged.taskExecutors,
          },
        ]
      : [],
  );

describe('progress while people wait', () => {
  let controlPlane: TestControlPlane;
  /** The id and stored size of the bundle `applicationId` runs. */
  let bundleOf: (applicationId: string) => Promise<{ artifactId: string; size: number }>;
  beforeAll(async () => {
    controlPlane = await startControlPlane();
    bundleOf = async (applicationId) => {
      const source = (await controlPlane.client.getApplication({ applicationId })).application!.bundle!.source;
      const artifactId = source?.$case === 'artifactId' ? source.artifactId : '';
      return { artifactId, size: Number((await controlPlane.client.getArtifact({ artifactId })).artifact!.sizeBytes) };
    };
  });

  it('piped: plain lines for the upload, the deployment and the events, with no escape or spinner', async () => {
    const run = await runCli(
      ['run', '-D', '--follow', '--task-executors', '2', freshBundle(), '2', join(sharedDir(), 'plain')],
      controlPlane.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const applicationId = run.stdout.trim();
    const lines = run.stderr.trimEnd().split('\n');
    expect(run.stderr).not.toMatch(/[\r\x1b]/);
    expect(run.stderr).not.toMatch(SPINNER);

    // The upload: a line at the first 1 MiB chunk and one at the end, with the size the control plane stored.
    const uploaded = /^bundle ([0-9a-f]{12}) uploaded \((\d+) bytes\)$/m.exec(run.stderr)!;
    const { artifactId, size } = await bundleOf(applicationId);
    expect(uploaded[1]).toBe(artifactId.slice(0, 12));
    expect(Number(uploaded[2])).toBe(size);
    expect(size).toBeGreaterThan(3 * 1048576);
    // (A line every 5 s in between, should the upload be that slow.)
    const progressLines = lines.filter((line) => line.startsWith('uploading bundle: '));
    expect(progressLines[0]).toBe(
      `uploading bundle: 1048576 of ${size} bytes (${Math.floor((1048576 / size) * 100)}%)`,
    );
    expect(progressLines.at(-1)).toBe(`uploading bundle: ${size} of ${size} bytes (100%)`);
    expect(progressLines.length).toBeLessThanOrEqual(Math.ceil(size / 1048576));

    // The deployment: the owned cluster's events carry its task executors ready out of 2, never fewer
    // than before, and RUNNING with both; the lines say so.
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const progress = clusterProgress(events);
    expect(progress.at(-1)).toEqual({ status: 'RUNNING', registered: 2, total: 2 });
    expect(progress.slice(0, -1).every(({ status, total }) => status === 'DEPLOYING' && total === 2)).toBe(true);
    const counts = progress.map(({ registered }) => registered);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(run.stderr).toMatch(/ cluster \S+ DEPLOYING, ready 0\/2 task executors \(/);
    expect(run.stderr).toMatch(/ cluster \S+ RUNNING at 127\.0\.0\.1:\d+ \(2 of 2 task executors registered\)/);

    // The events: one line each, as describeEvent writes them, after the time.
    const printed = lines.filter((line) => TIME.test(line)).map((line) => line.replace(TIME, ''));
    expect(printed).toEqual(eventLines(events));
    expect(printed.at(-1)).toMatch(/^application FINISHED/);
  }, 120_000);

  it('on a terminal: upload bytes, task executors ready and a spinner drawn in place, every event line whole', async () => {
    const bundle = freshBundle();
    const run = await runCliInTerminal(
      ['run', '-D', '--follow', '--task-executors', '2', bundle, '2', join(sharedDir(), 'tty')],
      controlPlane.env,
    );
    expect(run.code, run.raw).toBe(0);
    const screen = renderTerminal(run.raw);
    const applicationId = screen.find((line) => /^app-[0-9a-f]+$/.test(line))!;
    expect(applicationId).toBeDefined();
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const { artifactId, size } = await bundleOf(applicationId);

    // Drawn in place on the way: the bytes of the upload, the cluster's readiness, the status and time.
    expect(run.raw).toContain(`\r\x1b[Kuploading bundle: 1.0 MiB of ${formatBytes(size)} (`);
    expect(run.raw).toContain(`\r\x1b[Kuploading bundle: ${formatBytes(size)} of ${formatBytes(size)} (100%)`);
    expect(run.raw).toMatch(/\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] application DEPLOYING · cluster ready 0\/2 task executors · \d+\.\ds/);
    expect(run.raw).toMatch(/\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] application RUNNING · 1 job running · \d+\.\ds/);

    // What stays on the screen: the upload's and submission's lines, then every event line whole, in
    // order, and no progress left over.
    const printed = screen.filter((line) => TIME.test(line)).map((line) => line.replace(TIME, ''));
    expect(printed).toEqual(eventLines(events));
    expect(screen).toContain(`bundle ${artifactId.slice(0, 12)} uploaded (${size} bytes)`);
    expect(screen.filter((line) => SPINNER.test(line) || line.startsWith('uploading'))).toEqual([]);
    expect(screen.filter((line) => line.trim() !== '').length).toBe(printed.length + 3);
  }, 120_000);

  it('watch on a terminal: the spinner line below the events; -o json keeps stdout pure; --quiet draws nothing', async () => {
    const started = await runCli(
      ['run', '-D', join(ROOT, 'examples/wordcount'), '2', join(sharedDir(), 'watch')],
      controlPlane.env,
    );
    expect(started.code, started.stderr).toBe(0);
    const applicationId = started.stdout.trim();

    const watched = await runCliInTerminal(['watch', applicationId], controlPlane.env);
    expect(watched.code, watched.raw).toBe(0);
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    expect(watched.raw).toMatch(/\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] application (DEPLOYING|RUNNING)[^\r\n\x1b]* · \d+\.\ds/);
    const screen = renderTerminal(watched.raw);
    expect(screen.map((line) => line.replace(TIME, ''))).toEqual(eventLines(events));

    // JSON on stdout (a file here), the spinner on the terminal's stderr.
    const jsonFile = join(tempDir('flotilla-progress-json-'), 'events.jsonl');
    const json = await runCliInTerminal(['watch', applicationId, '-o', 'json'], controlPlane.env, `> ${jsonFile}`);
    expect(json.code, json.raw).toBe(0);
    expect(json.raw).toMatch(SPINNER);
    const jsonLines = readFileSync(jsonFile, 'utf8').trimEnd().split('\n');
    expect(
      jsonLines.map((line) => BigInt((JSON.parse(line) as { event: { sequence: string } }).event.sequence)),
    ).toEqual(events.map((event) => event.sequence));
    expect(renderTerminal(json.raw).filter((line) => line.trim() !== '')).toEqual([]);

    const quiet = await runCliInTerminal(['watch', applicationId, '--quiet'], controlPlane.env);
    expect(quiet.code, quiet.raw).toBe(0);
    expect(quiet.raw).not.toMatch(SPINNER);
    expect(quiet.raw).not.toContain('\x1b[K');
    expect(renderTerminal(quiet.raw).map((line) => line.replace(TIME, ''))).toEqual(eventLines(events));
  }, 120_000);

  it("session mode on a terminal: main()'s own console lines and the event lines both stay whole under the spinner", async () => {
    const started = await runCli(['cluster', 'start', '--task-executors', '1', '--slots', '2'], controlPlane.env);
    expect(started.code, started.stderr).toBe(0);
    const clusterId = started.stdout.trim();
    const output = join(sharedDir(), 'session');
    const run = await runCliInTerminal(
      ['run', '--cluster', clusterId, join(ROOT, 'examples/wordcount'), '3', output],
      controlPlane.env,
    );
    expect(run.code, run.raw).toBe(0);
    expect(run.raw).toMatch(SPINNER);
    const screen = renderTerminal(run.raw);
    // main() runs in this process and prints the ranking with console.log while the spinner is drawn.
    expect(screen).toEqual(expect.arrayContaining(['to\t6', 'the\t3', 'and\t2', `wrote the top 3 words to ${output}`]));
    const applicationId = /^submitted application (\S+) /m.exec(screen.join('\n'))![1]!;
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    const printed = screen.filter((line) => TIME.test(line)).map((line) => line.replace(TIME, ''));
    expect(printed).toEqual(eventLines(events));
    expect(screen.filter((line) => SPINNER.test(line))).toEqual([]);
    await controlPlane.client.shutDownCluster({ clusterId });
  }, 120_000);

  it('cluster start: task executors ready as lines when piped, drawn in place on a terminal, the id alone with --quiet', async () => {
    const piped = await runCli(['cluster', 'start', '--task-executors', '2', '--slots', '1'], controlPlane.env);
    expect(piped.code, piped.stderr).toBe(0);
    const pipedId = piped.stdout.trim();
    expect(piped.stderr).not.toMatch(/[\r\x1b]/);
    const lines = piped.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      new RegExp(`^cluster ${pipedId} RUNNING, ready 2/2 task executors \\(\\d+\\.\\ds\\)$`),
    );
    expect(
      lines.slice(0, -1).every((line) => /^cluster \S+ DEPLOYING, ready [01]\/2 task executors \(/.test(line)),
    ).toBe(true);
    expect(lines.length).toBeGreaterThan(1);

    const terminal = await runCliInTerminal(
      ['cluster', 'start', '--task-executors', '2', '--slots', '1'],
      controlPlane.env,
    );
    expect(terminal.code, terminal.raw).toBe(0);
    const screen = renderTerminal(terminal.raw).filter((line) => line.trim() !== '');
    const id = screen.at(-1)!;
    expect(terminal.raw).toMatch(
      new RegExp(`\\x1b\\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] cluster ${id} DEPLOYING, ready [01]/2 task executors · \\d+\\.\\ds`),
    );
    expect(screen.at(-2)).toMatch(new RegExp(`^cluster ${id} RUNNING, ready 2/2 task executors \\(\\d+\\.\\ds\\)$`));
    expect(screen.filter((line) => SPINNER.test(line))).toEqual([]);

    // --quiet: the id and nothing else.
    const quiet = await runCli(['cluster', 'start', '-q', '--task-executors', '1', '--slots', '1'], controlPlane.env);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^cluster-\S+\n$/);
    for (const clusterId of [pipedId, id, quiet.stdout.trim()])
      await controlPlane.client.shutDownCluster({ clusterId });
  }, 120_000);
});
