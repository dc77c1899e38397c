/**
 * The tests every client in another language passes, whatever its language: the whole flow with
 * --json checked against the control plane, a .tgz taken as it is with the readable report, and a
 * refused bundle reported with the call, its status and the control plane's message.
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
import type { TestControlPlane } from '../support/controlPlane.js';
import { describeRun, lastJsonLine, type ProgramResult } from '../support/programs.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

/** A client under test, ready once the file's beforeAll has run. */
export interface ClientUnderTest {
  /** The name in failure messages. */
  name: string;
  /** The control plane the client talks to. */
  controlPlane(): TestControlPlane;
  /** Runs the client against the control plane; the arguments follow its connection flags. */
  run(args: readonly string[]): Promise<ProgramResult>;
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
}
