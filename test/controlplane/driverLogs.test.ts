/**
 * Driver logs on real processes: what a driver's main() writes reaches ReadDriverLog of the
 * control plane while the application runs, a reader from any offset of a finished application
 * gets exactly the rest, the log stays readable after the application and its cluster are gone,
 * and a control plane killed while it copies the log picks the copy up again, repeating and losing
 * nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import type {
  ClusterClientServiceClient,
  ReadDriverLogResponse,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { LogStream } from '../../generated/flotilla/v1/common.js';
import { ApplicationStatus, ClusterStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import {
  clusterInStatus,
  controlPlaneForFile,
  driverRequest,
  endedApplication,
  startTestControlPlane,
  uploadDriverApp,
} from './controlPlaneTesting.js';

/** What talk.mjs writes for `count` lines, in order, with the stream of each line. */
function talk(count: number): { stream: LogStream; text: string }[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    return i % 3 === 0
      ? { stream: LogStream.STDERR, text: `line ${i} to stderr\n` }
      : { stream: LogStream.STDOUT, text: `line ${i} to stdout\n` };
  });
}

async function readAll(
  client: ClusterClientServiceClient,
  applicationId: string,
  offset: number,
  follow: boolean,
): Promise<ReadDriverLogResponse[]> {
  const pieces: ReadDriverLogResponse[] = [];
  for await (const piece of client.readDriverLog({ applicationId, offset: BigInt(offset), follow })) pieces.push(piece);
  return pieces;
}

const textOf = (pieces: ReadDriverLogResponse[]) => Buffer.concat(pieces.map((piece) => piece.data)).toString();

/**
 * Each stream of the log is exactly what was written to it. The order between the two is not promised:
 * a worker thread's stdout and stderr are two streams, and a write waiting on one can be passed by a
 * write to the other.
 */
function expectStreams(pieces: ReadDriverLogResponse[], written: { stream: LogStream; text: string }[]): void {
  for (const stream of [LogStream.STDOUT, LogStream.STDERR]) {
    const expected = written.filter((line) => line.stream === stream).map((line) => line.text);
    expect(textOf(pieces.filter((piece) => piece.stream === stream))).toBe(expected.join(''));
  }
}

describe('driver logs', () => {
  const shared = controlPlaneForFile();

  it('follows the driver’s output as it is written, and serves exactly the rest from any offset once the application has ended', async () => {
    const { client } = shared.controlPlane;
    const gate = join(sharedDir(), 'gate');
    const { application } = await client.runApplication(
      driverRequest(shared.artifactId, { entry: 'talk.mjs#main', args: ['7', '10', gate] }),
    );
    const applicationId = application!.id;

    const pieces: ReadDriverLogResponse[] = [];
    const following = (async () => {
      for await (const piece of client.readDriverLog({ applicationId, offset: 0n, follow: true })) pieces.push(piece);
    })();
    // The first line arrives while main() waits for the gate: it was not held back until the end.
    await expect.poll(() => textOf(pieces), { timeout: 60_000 }).toBe('line 1 to stdout\n');
    expect((await client.getApplication({ applicationId })).application!.status).toBe(ApplicationStatus.RUNNING);
    writeFileSync(gate, '');
    await following;

    const expected = talk(7);
    expectStreams(pieces, expected);
    expect((await client.getApplication({ applicationId })).application!.status).toBe(ApplicationStatus.FINISHED);
    // Pieces are contiguous, each with the stream it was written to.
    let offset = 0n;
    for (const piece of pieces) {
      expect(piece.offset).toBe(offset);
      expect(piece.nextOffset).toBe(offset + BigInt(piece.data.byteLength));
      offset = piece.nextOffset;
      const lines = piece.data.toString().split(/(?<=\n)/);
      for (const line of lines)
        expect(expected.find((candidate) => candidate.text === line)?.stream).toBe(piece.stream);
    }

    // A reader that resumes from any offset gets exactly the rest.
    const whole = Buffer.from(textOf(pieces));
    for (let from = 0; from <= whole.byteLength; from += 7) {
      expect(textOf(await readAll(client, applicationId, from, from % 2 === 0))).toBe(whole.subarray(from).toString());
    }
    await expect(readAll(client, applicationId, whole.byteLength + 1, false)).rejects.toMatchObject({
      code: Status.OUT_OF_RANGE,
      details: expect.stringContaining(
        `is past the end of the driver log of application ${applicationId} (${whole.byteLength} bytes so far)`,
      ),
    });
  });

  it('keeps the log of a finished application readable after its cluster is gone; an unknown application is NOT_FOUND', async () => {
    const { client } = shared.controlPlane;
    const { application } = await client.runApplication(
      driverRequest(shared.artifactId, { entry: 'talk.mjs#main', args: ['4', '0'] }),
    );
    const ended = await endedApplication(client, application!.id);
    expect(ended.status).toBe(ApplicationStatus.FINISHED);
    await clusterInStatus(client, ended.clusterId, ClusterStatus.STOPPED);
    expectStreams(await readAll(client, ended.id, 0, true), talk(4));
    await expect(readAll(client, 'app-nope', 0, false)).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('keeps the output of main() in application mode (in the job manager) the same way', async () => {
    const { client } = shared.controlPlane;
    const { application } = await client.runApplication(
      driverRequest(shared.artifactId, { mode: SubmissionMode.APPLICATION, entry: 'talk.mjs#main', args: ['5', '0'] }),
    );
    // Each stream exactly; between stdout and stderr the order is that of arrival, as for any two pipes.
    const pieces = await readAll(client, application!.id, 0, true);
    expectStreams(pieces, talk(5));
    expect(textOf(pieces).length).toBe(talk(5).reduce((length, line) => length + line.text.length, 0));
    expect((await client.getApplication({ applicationId: application!.id })).application!.status).toBe(
      ApplicationStatus.FINISHED,
    );
  });

  it('a control plane killed while it copies a log resumes the copy after its restart, repeating and losing nothing', async () => {
    const stateDir = tempDir();
    const first = await startTestControlPlane(stateDir);
    const firstArtifact = await uploadDriverApp(first.process.address);
    const gate = join(sharedDir(), 'gate');
    const { application } = await first.client.runApplication(
      driverRequest(firstArtifact, { entry: 'talk.mjs#main', args: ['300', '10', gate] }),
    );
    const applicationId = application!.id;
    await expect
      .poll(async () => textOf(await readAll(first.client, applicationId, 0, false)), { timeout: 60_000 })
      .toBe('line 1 to stdout\n');

    // Let the driver write on, and kill the control plane while it copies.
    writeFileSync(gate, '');
    await expect
      .poll(async () => (await readAll(first.client, applicationId, 0, false)).length, { timeout: 60_000 })
      .toBeGreaterThan(1);
    expect((await first.client.getApplication({ applicationId })).application!.status).toBe(ApplicationStatus.RUNNING);
    await first.stop('SIGKILL');
    expect(existsSync(join(stateDir, 'state.db'))).toBe(true);

    const second = await startTestControlPlane(stateDir);
    const pieces = await readAll(second.client, applicationId, 0, true);
    expect(textOf(pieces)).toBe(
      talk(300)
        .map((line) => line.text)
        .join(''),
    );
    expect((await second.client.getApplication({ applicationId })).application!.status).toBe(
      ApplicationStatus.FINISHED,
    );
    await second.stop();
  });
});
