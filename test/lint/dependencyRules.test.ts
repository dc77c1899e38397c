/**
 * The dependency rules of `npm run lint` checked on small fixture trees: a tree laid out like the
 * target layers passes, and each tree that breaks one layer fails with that rule and no other. Runs
 * the same command as `npm run depcheck` (scripts/lint/depcheck.mjs), so a rule that stops matching
 * (a regular expression, a path convention, the resolution of `.js` imports to `.ts` files) fails here.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPCHECK = join(ROOT, 'scripts/lint/depcheck.mjs');
const FIXTURES = join(ROOT, 'test/lint/fixtures');

interface Violation {
  rule: string;
  from: string;
  to: string;
  folders?: string[];
}

interface Outcome {
  exitCode: number;
  modules: number;
  violations: Violation[];
}

/** Runs the dependency rules on one fixture tree and reads their JSON report. */
async function depcheck(fixture: string, ...extra: string[]): Promise<Outcome & { stdout: string }> {
  const args = [DEPCHECK, '--base-dir', join(FIXTURES, fixture), ...extra];
  let stdout: string;
  let exitCode = 0;
  try {
    ({ stdout } = await run(process.execPath, args, { cwd: ROOT }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code !== 1) throw new Error(`depcheck failed to run (${failed.code}): ${failed.stderr}`);
    exitCode = 1;
    stdout = failed.stdout ?? '';
  }
  if (extra.includes('--json')) {
    const report = JSON.parse(stdout) as { modules: number; violations: Violation[] };
    return { exitCode, modules: report.modules, violations: report.violations, stdout };
  }
  return { exitCode, modules: 0, violations: [], stdout };
}

const rulesOf = (outcome: Outcome) => [...new Set(outcome.violations.map((violation) => violation.rule))].sort();

describe('dependency rules', () => {
  it('pass a tree laid out like the target layers, with its composition roots, adapters, tests and testing/', async () => {
    const outcome = await depcheck('clean', '--json');
    expect(outcome.violations).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.modules).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['folderCycle', 'no-folder-cycle', 'src/jobmaster', 'src/resourcemanager'],
    ['parentChildCycle', 'no-folder-cycle', 'src/deployment', 'src/deployment/local'],
    // src/jobmaster/slotpool -> src/resourcemanager -> src/jobmaster: no cycle between leaf folders, one between components.
    ['nestedFolderCycle', 'no-folder-cycle', 'src/jobmaster', 'src/resourcemanager'],
    ['moduleCycle', 'no-circular', 'src/jobmaster/Execution.ts', 'src/jobmaster/ExecutionVertex.ts'],
    ['domainImportsGenerated', 'no-grpc-in-domain', 'src/jobmaster/JobMaster.ts', 'generated/flotilla/v1/common.ts'],
    ['srcImportsTest', 'src-not-to-test', 'src/blob/ArtifactStore.ts', 'test/support/tempDir.ts'],
    [
      'foreignAdapter',
      'no-foreign-adapter',
      'src/controlplane/ClusterManager.ts',
      'src/dispatcher/service/grpcDispatcherGateway.ts',
    ],
    ['rpcImportsComponent', 'rpc-is-transport-only', 'src/rpc/jobEvents.ts', 'src/dispatcher/JobEvent.ts'],
    ['commonImportsOurs', 'common-is-self-contained', 'src/common/ids.ts', 'src/rpc/longs.ts'],
    [
      'testingInProduction',
      'no-testing-in-production',
      'src/taskexecutor/TaskExecutor.ts',
      'src/taskexecutor/testing/fakeGateway.ts',
    ],
    ['cliImportsComponent', 'cli-talks-to-control-plane', 'src/cli/commands/run.ts', 'src/dispatcher/Dispatcher.ts'],
    ['unresolvable', 'not-to-unresolvable', 'src/common/ids.ts', './missing.js'],
    ['webImportsNode', 'web-is-browser-code', 'src/web/main.ts', 'fs'],
    ['webImportsServer', 'web-is-browser-code', 'src/web/main.ts', 'src/rpc/longs.ts'],
    ['nodeImportsWeb', 'no-web-in-node', 'src/minicluster/MiniCluster.ts', 'src/web/dom.ts'],
  ])('fail %s with %s only', async (fixture, rule, from, to) => {
    const outcome = await depcheck(fixture, '--json');
    expect(outcome.exitCode).toBe(1);
    expect(rulesOf(outcome)).toEqual([rule]);
    expect(outcome.violations).toEqual([expect.objectContaining({ rule, from, to })]);
  });

  it('fail domain code that imports nice-grpc, even for a type only, or @grpc/grpc-js', async () => {
    const outcome = await depcheck('domainImportsGrpc', '--json');
    expect(outcome.exitCode).toBe(1);
    expect(rulesOf(outcome)).toEqual(['no-grpc-in-domain']);
    expect(outcome.violations.map(({ from, to }) => [from, to.replace(/^.*node_modules\//, '')])).toEqual([
      ['src/dispatcher/Dispatcher.ts', 'nice-grpc/lib/index.js'],
      ['src/taskexecutor/Task.ts', '@grpc/grpc-js/build/src/index.js'],
    ]);
  });

  it('print each violated rule with its reason and the imports that break it', async () => {
    const { exitCode, stdout } = await depcheck('parentChildCycle');
    expect(exitCode).toBe(1);
    expect(stdout).toContain('✗ no-folder-cycle: 1 violation');
    expect(stdout).toContain('why: Folders are the layers');
    expect(stdout).toContain(
      'src/deployment → src/deployment/local: src/deployment/index.ts imports src/deployment/local/LocalDeploymentTarget.ts',
    );
    expect(stdout).toContain(
      'src/deployment/local → src/deployment: src/deployment/local/LocalDeploymentTarget.ts imports src/deployment/DeploymentTarget.ts',
    );
  });
});
