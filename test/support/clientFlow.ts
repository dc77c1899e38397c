/**
 * What the clients in other languages (clients/python, clients/go) report after running the
 * wordcount example in driver mode, and the checks both tests make of it against what the control
 * plane itself serves: the same events, the same driver log, the same jobs, the ranking on disk.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { LogStream } from '../../generated/flotilla/v1/common.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { packBundle, type PackedBundle } from '../../src/client/bundlePacker.js';
import { partLines } from './applicationOutcome.js';
import { clusterProcesses, watchAll, type TestControlPlane } from './controlPlane.js';
import { ROOT } from './processes.js';

/** The bundle both clients upload: the README's example. */
export const WORDCOUNT = join(ROOT, 'examples', 'wordcount');
/** The ranking main() prints and writes for `wordcount 4`. */
const TOP_4 = [
  ['to', 6],
  ['the', 3],
  ['and', 2],
  ['be', 2],
] as const;
/** After how many events the clients close their first watch, to resume from a sequence. */
export const DISCONNECT_AFTER = 3;

/** The JSON object a client prints with --json (the same shape in Python and Go). */
export interface ClientFlowReport {
  artifact_id: string;
  already_stored: boolean;
  application_id: string;
  status: string;
  streams: { after_sequence: number; sequences: number[]; ended_by: string }[];
  sequences: number[];
  events: { sequence: number; kind: string; status?: string; subject?: string }[];
  driver_log: Record<string, string>;
  jobs: { id: string; name: string; status: string; application_id: string; cluster_id: string }[];
}

/** The client's arguments after its connection flags: --json, the disconnect, the bundle, main()'s args. */
export function wordcountArgs(output: string): string[] {
  return ['--json', '--disconnect-after', String(DISCONNECT_AFTER), WORDCOUNT, '4', output];
}

/** Checks a client's report of `wordcount 4 output` against the control plane and the output folder. */
export async function expectWordcountFlow(
  report: ClientFlowReport,
  controlPlane: TestControlPlane,
  output: string,
  context: string,
): Promise<void> {
  const { client } = controlPlane;
  // Uploaded: the artifact the run used is the one the client stored.
  expect(report.artifact_id, context).toMatch(/^[0-9a-f]{64}$/);
  expect((await client.getArtifact({ artifactId: report.artifact_id })).artifact?.id).toBe(report.artifact_id);
  const { application } = await client.getApplication({ applicationId: report.application_id });
  expect(application?.bundle?.source).toEqual({ $case: 'artifactId', artifactId: report.artifact_id });
  expect(application?.status).toBe(ApplicationStatus.FINISHED);
  expect(report.status, context).toBe('APPLICATION_STATUS_FINISHED');

  // Watched to the end with one deliberate disconnect: the first stream from the start, closed by the
  // client after DISCONNECT_AFTER events; the second from the last sequence seen, ended by the server.
  expect(
    report.streams.map((stream) => [stream.after_sequence, stream.ended_by]),
    context,
  ).toEqual([
    [0, 'client'],
    [DISCONNECT_AFTER, 'server'],
  ]);
  expect(report.streams[0]!.sequences).toEqual(range(1, DISCONNECT_AFTER));
  expect(report.streams[1]!.sequences[0]).toBe(DISCONNECT_AFTER + 1);
  // No event twice, none missed: 1..n without a gap, and exactly what the control plane stored.
  const stored = await watchAll(client, report.application_id, 0, false);
  expect(report.sequences).toEqual(range(1, stored.length));
  expect(report.streams.flatMap((stream) => stream.sequences)).toEqual(report.sequences);
  expect(report.events.map((event) => [event.sequence, event.kind])).toEqual(
    stored.map((event) => [Number(event.sequence), snakeCase(event.kind!.$case)]),
  );
  expect(report.events.at(-1)).toMatchObject({
    kind: 'application_status_changed',
    status: 'APPLICATION_STATUS_FINISHED',
  });
  expect(Number(application?.lastEventSequence)).toBe(stored.length);

  // The driver log: main()'s ranking on stdout, byte for byte what the control plane serves.
  const served: Record<string, string> = {};
  for await (const piece of client.readDriverLog({ applicationId: report.application_id, offset: 0n, follow: false })) {
    const stream = `LOG_STREAM_${LogStream[piece.stream]}`;
    served[stream] = (served[stream] ?? '') + Buffer.from(piece.data).toString('utf8');
  }
  expect(report.driver_log).toEqual(served);
  expect(report.driver_log.LOG_STREAM_STDOUT).toBe(
    `${TOP_4.map(([word, count]) => `${word}\t${count}\n`).join('')}wrote the top 4 words to ${output}\n`,
  );

  // The jobs: the driver and main()'s two jobs, all FINISHED, the same ids the application records.
  const jobs = [...report.jobs].sort((a, b) => a.name.localeCompare(b.name));
  expect(jobs.map((job) => [job.name, job.status, job.application_id])).toEqual(
    ['count words', 'driver', 'write ranking'].map((name) => [
      `wordcount-example: ${name}`,
      'JOB_STATUS_FINISHED',
      report.application_id,
    ]),
  );
  expect(new Set(jobs.map((job) => job.id))).toEqual(new Set([...application!.jobIds, application!.driverJobId]));
  expect(new Set(jobs.map((job) => job.cluster_id))).toEqual(new Set([application!.clusterId]));

  // The real work: the ranking on disk, and no process of the owned cluster left.
  expect(partLines(output)).toEqual(TOP_4.map(([word, count]) => `${word} ${count}`));
  await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 10_000, interval: 200 }).toEqual([]);
}

const packed: PackedBundle[] = [];
afterAll(() => {
  for (const bundle of packed.splice(0)) bundle.cleanup();
});

/** The wordcount example packed by the CLI's packer into a .tgz, which the clients take as it is; removed when the test file ends. */
export async function packedWordcount(): Promise<{ file: string; sha256: string }> {
  const bundle = await packBundle(WORDCOUNT);
  packed.push(bundle);
  return { file: bundle.file, sha256: createHash('sha256').update(readFileSync(bundle.file)).digest('hex') };
}

/**
 * Checks a client's readable report (no --json) of `wordcount 4 output` run from the .tgz whose
 * sha256 is given (the control plane names an application from a .tgz by its file name, as the
 * clients then send no name).
 */
export function expectReadableReport(stdout: string, sha256: string, output: string): void {
  const lines = stdout.split('\n');
  expect(lines[0]).toBe(`bundle ${sha256} (uploaded)`);
  expect(lines[1]).toMatch(/^application \S+$/);
  expect(lines[2]).toBe(`watch after 0: events 1..${DISCONNECT_AFTER}, closed by client`);
  expect(lines[3]).toMatch(
    new RegExp(`^watch after ${DISCONNECT_AFTER}: events ${DISCONNECT_AFTER + 1}\\.\\.\\d+, closed by server$`),
  );
  expect(lines).toEqual(
    expect.arrayContaining([
      '  #1 application_status_changed APPLICATION_STATUS_DEPLOYING',
      'driver log (LOG_STREAM_STDOUT):',
      ...TOP_4.map(([word, count]) => `  ${word}\t${count}`),
      `  wrote the top 4 words to ${output}`,
    ]),
  );
  expect(lines.filter((line) => /^job \S+ JOB_STATUS_FINISHED wordcount: /.test(line))).toHaveLength(3);
  expect(lines.filter(Boolean).at(-1)).toBe('application APPLICATION_STATUS_FINISHED');
  expect(partLines(output)).toEqual(TOP_4.map(([word, count]) => `${word} ${count}`));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** ts-proto's oneof case (applicationStatusChanged) as the proto field name (application_status_changed). */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
