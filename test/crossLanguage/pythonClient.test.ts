/**
 * The Python client example (clients/python/run_application.py), with stubs generated from proto/
 * at test time, runs the whole flow against a real control plane that deploys a real local cluster:
 * it uploads the wordcount bundle, runs it in driver mode, watches it to FINISHED resuming once from
 * a sequence after closing its first stream, reads its driver log and lists its jobs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectWordcountFlow, wordcountArgs, type ClientFlowReport } from '../support/clientFlow.js';
import { startControlPlane } from '../support/controlPlane.js';
import { describeRun, lastJsonLine, runProgram } from '../support/programs.js';
import { generatePythonStubs, missingPythonToolchain, PYTHON, PYTHON_CLIENTS } from '../support/pythonToolchain.js';
import { sharedDir } from '../support/tempDir.js';

describe('the Python client example against a real control plane', () => {
  it('uploads a bundle, runs it in driver mode, watches it to FINISHED resuming once, reads its driver log, lists its jobs', async () => {
    const missing = missingPythonToolchain();
    if (missing) expect.fail(missing);
    const controlPlane = await startControlPlane();
    const stubs = await generatePythonStubs();
    const output = join(sharedDir(), 'ranking');

    const run = await runProgram(
      PYTHON,
      [
        join(PYTHON_CLIENTS, 'run_application.py'),
        '--address',
        controlPlane.address,
        '--stubs',
        stubs.folder,
        ...wordcountArgs(output),
      ],
      { env: { PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs: 240_000 },
    );
    const context = `${describeRun('run_application.py', run)}\ncontrol plane log:\n${controlPlane.process.stderr()}`;
    expect(run.code, context).toBe(0);
    await expectWordcountFlow(lastJsonLine<ClientFlowReport>(run), controlPlane, output, context);
  }, 300_000);
});
