/**
 * The Python client example (clients/python/run_application.py), with stubs generated from proto/
 * at test time, runs the whole flow against a real control plane that deploys a real local cluster:
 * it uploads the wordcount bundle, runs it in driver mode, watches it to FINISHED resuming once from
 * a sequence after closing its first stream, reads its driver log and lists its jobs. Given several
 * addresses as gRPC's `ipv4:` list (README "Several replicas from Python and Go"), its channel goes
 * on to the next address when the first does not answer.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { runProgram } from '../support/programs.js';
import { generatePythonStubs, missingPythonToolchain, PYTHON, PYTHON_CLIENTS } from '../support/pythonToolchain.js';
import { clientFlowTests } from './clientFlowTests.js';
import { expectWordcountFlow, wordcountArgs, type ClientFlowReport } from '../support/clientFlow.js';
import { describeRun, lastJsonLine } from '../support/programs.js';
import { sharedDir } from '../support/tempDir.js';

describe('the Python client example against a real control plane', () => {
  let controlPlane: TestControlPlane;
  let stubs: string;

  beforeAll(async () => {
    // Never skipped: without the toolchain every test of the file fails, saying what to install.
    const missing = missingPythonToolchain();
    if (missing) throw new Error(missing);
    stubs = (await generatePythonStubs()).folder;
    controlPlane = await startControlPlane();
  }, 120_000);

  const runPython = (args: readonly string[], address = controlPlane.address) =>
    runProgram(PYTHON, [join(PYTHON_CLIENTS, 'run_application.py'), '--address', address, '--stubs', stubs, ...args], {
      env: { PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 240_000,
    });

  clientFlowTests({ name: 'clients/python/run_application.py', controlPlane: () => controlPlane, run: runPython });

  it('runs the whole flow through an ipv4: list of addresses whose first is down, as the README shows for several replicas', async () => {
    const down = await closedPort();
    const address = `ipv4:127.0.0.1:${down},${controlPlane.address}`;
    const output = join(sharedDir(), 'ranking');
    const run = await runPython(wordcountArgs(output), address);
    const context = `${describeRun('run_application.py', run)}\ncontrol plane log:\n${controlPlane.process.stderr()}`;
    expect(run.code, context).toBe(0);
    await expectWordcountFlow(lastJsonLine<ClientFlowReport>(run), controlPlane, output, context);
  }, 300_000);
});

/** A loopback port nothing listens on (bound, then closed again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
