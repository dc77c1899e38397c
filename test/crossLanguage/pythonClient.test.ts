/**
 * The Python client example (clients/python/run_application.py), with stubs generated from proto/
 * at test time, runs the whole flow against a real control plane that deploys a real local cluster:
 * it uploads the wordcount bundle, runs it in driver mode, watches it to FINISHED resuming once from
 * a sequence after closing its first stream, reads its driver log and lists its jobs.
 */
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { runProgram } from '../support/programs.js';
import { generatePythonStubs, missingPythonToolchain, PYTHON, PYTHON_CLIENTS } from '../support/pythonToolchain.js';
import { clientFlowTests } from './clientFlowTests.js';

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

  clientFlowTests({
    name: 'clients/python/run_application.py',
    controlPlane: () => controlPlane,
    run: (args, address = controlPlane.address) =>
      runProgram(
        PYTHON,
        [join(PYTHON_CLIENTS, 'run_application.py'), '--address', address, '--stubs', stubs, ...args],
        { env: { PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs: 240_000 },
      ),
  });
});
