/**
 * The Go client example (clients/go), built offline in GOPATH mode with Debian's Go packages against
 * code generated from proto/ at test time, runs the whole flow against a real control plane that
 * deploys a real local cluster: it uploads the wordcount bundle, runs it in driver mode, watches it to
 * FINISHED resuming once from a sequence after closing its first stream, reads its driver log and
 * lists its jobs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectWordcountFlow, wordcountArgs, type ClientFlowReport } from '../support/clientFlow.js';
import { startControlPlane } from '../support/controlPlane.js';
import { buildGoClient, GO, GO_CLIENT, GOFMT, goEnvironment, missingGoToolchain } from '../support/goToolchain.js';
import { ROOT } from '../support/processes.js';
import { describeRun, lastJsonLine, runProgram } from '../support/programs.js';
import { sharedDir } from '../support/tempDir.js';

describe('the Go client example against a real control plane', () => {
  it('uploads a bundle, runs it in driver mode, watches it to FINISHED resuming once, reads its driver log, lists its jobs', async () => {
    const missing = missingGoToolchain();
    if (missing) expect.fail(missing);
    const { binary, gopath } = await buildGoClient();
    // The example is what a user copies: gofmt-clean and without go vet findings.
    const unformatted = await runProgram(GOFMT, ['-l', GO_CLIENT]);
    expect([unformatted.code, unformatted.stdout], describeRun('gofmt -l clients/go', unformatted)).toEqual([0, '']);
    const vet = await runProgram(GO, ['vet', './clients/go'], {
      cwd: ROOT,
      env: goEnvironment(gopath),
      timeoutMs: 300_000,
    });
    expect(vet.code, describeRun('go vet ./clients/go', vet)).toBe(0);

    const controlPlane = await startControlPlane();
    const output = join(sharedDir(), 'ranking');
    const run = await runProgram(binary, ['-address', controlPlane.address, ...wordcountArgs(output)], {
      timeoutMs: 240_000,
    });
    const context = `${describeRun('run_application (Go)', run)}\ncontrol plane log:\n${controlPlane.process.stderr()}`;
    expect(run.code, context).toBe(0);
    await expectWordcountFlow(lastJsonLine<ClientFlowReport>(run), controlPlane, output, context);
  }, 900_000);
});
