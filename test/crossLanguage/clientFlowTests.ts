/**
 * The tests every client in another language passes, whatever its language: the whole flow with
 * --json checked against the control plane, a .tgz taken as it is with the readable report, a
 * refused bundle reported with the call, its status and the control plane's message, and a watch
 * that outlives a restart of the control plane.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  expectReadableReport,
  expectWordcountFlow,
  packedWordcount,
  WORDCOUNT,
  wordcountArgs,
  type ClientFlowReport,
} from '../support/clientFlow.js';
import { DRIVER_APP } from '../controlplane/controlPlaneTesting.js';
import { startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { startServer } from '../support/processes.js';
import { describeRun, lastJsonLine, type ProgramResult } from '../support/programs.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

/** A client under test, ready once the file's beforeAll has run. */
export interface ClientUnderTest {
  /** The name in failure messages. */
  name: string;
  /** The control plane the client talks to. */
  controlPlane(): TestControlPlane;
  /** Runs the client against the control plane (or the one at `address`); the arguments follow its connection flags. */
  run(args: readonly string[], address?: string): Promise<ProgramResult>;
}

/** Declares the tests of {@link ClientUnderTest} in the calling describe block. */
export function clientFlowTests(client: ClientUnderTest): void {
  const contextOf = (run: ProgramResult) =>
    `${describeRun(client.name, run)}\ncontrol plane log:\n${client.controlPlane().process.stderr()}`;

  it('uploads a bundle, runs it in driver mode, watches it to FINISHED resuming once, reads its driver log, lists its jobs', async () => {
    const output = join(sharedDir(), 'ranking');
    const run = await client.run(wordcountArgs(output));
    expect(run.code, contextOf(run)).toBe(0);
    await expectWordcountFlow(lastJsonLine<ClientFlowReport>(run), client.controlPlane(), output, contextOf(run));
  }, 300_000);

  it('takes a .tgz as it is and prints a readable report', async () => {
    const bundle = await packedWordcount();
    const output = join(sharedDir(), 'ranking');
    const args = wordcountArgs(output).filter((arg) => arg !== '--json');
    const run = await client.run(args.map((arg) => (arg === WORDCOUNT ? bundle.file : arg)));
    expect(run.code, contextOf(run)).toBe(0);
    expectReadableReport(run.stdout, bundle.sha256, output);
  }, 300_000);

  it("says which call failed, with the status and the control plane's message, when the bundle is refused", async () => {
    const bundle = join(tempDir(), 'broken.tgz');
    writeFileSync(bundle, 'not a gzipped tar');
    const run = await client.run([bundle]);
    expect(run.code, contextOf(run)).toBe(1);
    // Python prints the status as INVALID_ARGUMENT, grpc-go as InvalidArgument.
    expect(run.stderr, contextOf(run)).toMatch(
      /UploadArtifact: .*(INVALID_ARGUMENT|InvalidArgument).*the bundle is not a well-formed gzipped tar/,
    );
  });

  it('resumes its watch after the control plane restarts, from the last sequence it saw, missing nothing that happened meanwhile', async () => {
    const controlPlane = await startControlPlane();
    const gate = join(sharedDir(), 'gate');
    // main() runs a job, waits for the gate, then runs a second job.
    const args = ['--json', '--entry', 'main.mjs#steps', DRIVER_APP, 'squares', '3', 'await', gate, 'squares', '4'];
    const running = client.run(args, controlPlane.address);
    await expect
      .poll(() => driverOutput(controlPlane), { timeout: 120_000, interval: 250 })
      .toBe('sum of squares: 14\n');

    // The control plane goes away while the client watches; the second job runs without it.
    await controlPlane.stop('SIGTERM');
    writeFileSync(gate, '');
    const restarted = await startServer('controlplane', [
      '--state-dir',
      controlPlane.stateDir,
      '--listen',
      controlPlane.address,
    ]);
    const run = await running;
    const context = `${describeRun(client.name, run)}\ncontrol plane log after the restart:\n${restarted.stderr()}`;
    expect(run.code, context).toBe(0);
    const report = lastJsonLine<ClientFlowReport>(run);
    expect(report.status, context).toBe('APPLICATION_STATUS_FINISHED');
    // The first stream broke with UNAVAILABLE after some events; the next began after its last one.
    const [first, ...rest] = report.streams;
    expect(first!.ended_by, context).toBe('UNAVAILABLE');
    expect(first!.sequences.length).toBeGreaterThan(0);
    const resumedAfter = first!.sequences.at(-1)!;
    expect(run.stderr).toMatch(new RegExp(`watch: connection lost .*; resuming after sequence ${resumedAfter}\\n`));
    expect(rest[0]!.after_sequence).toBe(resumedAfter);
    expect(rest.at(-1)!.ended_by).toBe('server');
    // None twice, none missed, the events of the downtime included: what the control plane stored.
    const stored = await watchAll(controlPlane.client, report.application_id, 0, false);
    expect(report.streams.flatMap((stream) => stream.sequences)).toEqual(stored.map((event) => Number(event.sequence)));
    expect(report.sequences).toEqual(stored.map((_, index) => index + 1));
    expect(stored.length).toBeGreaterThan(resumedAfter + 1);
    expect(report.driver_log.LOG_STREAM_STDOUT).toBe('sum of squares: 14\nsum of squares: 30\n');
    await restarted.stop();
  }, 300_000);
}

/** Everything the newest application of the control plane's main() wrote to stdout so far. */
async function driverOutput(controlPlane: TestControlPlane): Promise<string> {
  const { applications } = await controlPlane.client.listApplications({ pageSize: 1, pageToken: '', statuses: [] });
  if (!applications[0]) return '';
  let text = '';
  for await (const piece of controlPlane.client.readDriverLog({
    applicationId: applications[0].id,
    offset: 0n,
    follow: false,
  }))
    text += Buffer.from(piece.data).toString('utf8');
  return text;
}
