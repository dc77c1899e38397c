/**
 * The Go client example (clients/go), built offline in GOPATH mode with Debian's Go packages against
 * code generated from proto/ at test time, runs the whole flow against a real control plane that
 * deploys a real local cluster: it uploads the wordcount bundle, runs it in driver mode, watches it to
 * FINISHED resuming once from a sequence after closing its first stream, reads its driver log and
 * lists its jobs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { buildGoClient, GO, GO_CLIENT, GOFMT, goEnvironment, missingGoToolchain } from '../support/goToolchain.js';
import { ROOT } from '../support/processes.js';
import { describeRun, runProgram } from '../support/programs.js';
import { clientFlowTests } from './clientFlowTests.js';

describe('the Go client example against a real control plane', () => {
  let controlPlane: TestControlPlane;
  let built: { binary: string; gopath: string };

  beforeAll(async () => {
    // Never skipped: without the toolchain every test of the file fails, saying what to install.
    const missing = missingGoToolchain();
    if (missing) throw new Error(missing);
    built = await buildGoClient();
    controlPlane = await startControlPlane();
  }, 600_000);

  it('is what a user copies: gofmt-clean, and go vet finds nothing', async () => {
    const unformatted = await runProgram(GOFMT, ['-l', GO_CLIENT]);
    expect([unformatted.code, unformatted.stdout], describeRun('gofmt -l clients/go', unformatted)).toEqual([0, '']);
    const vet = await runProgram(GO, ['vet', './clients/go'], {
      cwd: ROOT,
      env: goEnvironment(built.gopath),
      timeoutMs: 300_000,
    });
    expect(vet.code, describeRun('go vet ./clients/go', vet)).toBe(0);
  }, 360_000);

  clientFlowTests({
    name: 'clients/go (run_application)',
    controlPlane: () => controlPlane,
    run: (args, address = controlPlane.address) =>
      runProgram(built.binary, ['-address', address, ...args], { timeoutMs: 240_000 }),
  });
});
