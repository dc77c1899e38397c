import { describe, expect, it } from 'vitest';
import { formatCommandHelp, parseCommandLine, UsageError } from '../options/args.js';
import { applicationRequestOf, deployedCluster } from '../options/applicationRequest.js';
import { SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import { runCommand, runRun } from './run.js';

/** The help line (with its wrapped continuation) of the option spelled `flag`. */
function helpOf(flag: string): string {
  const lines = formatCommandHelp(runCommand).split('\n');
  const at = lines.findIndex(
    (line) => line.trimStart().startsWith(`${flag} `) || line.trimStart().startsWith(`${flag},`),
  );
  expect(at, `${flag} in run --help`).toBeGreaterThanOrEqual(0);
  const next = lines[at + 1] ?? '';
  return /^\s{34}\S/.test(next) ? `${lines[at]} ${next.trim()}` : lines[at];
}

describe('flotilla run --help', () => {
  it('shows each default once, and the rule where the real default is one', () => {
    const help = formatCommandHelp(runCommand);
    for (const line of help.split('\n'))
      expect(line.match(/[Dd]efault:|default \d/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
    expect(help).not.toMatch(/\(default: \)|default: 0\)|default 1\)/);
    expect(helpOf('--task-executors')).toMatch(/\(default: 1\)$/);
    expect(helpOf('--slots')).toMatch(/default: parallelism \+ 1 in driver mode/);
    expect(helpOf('--parallelism')).toMatch(/\(default: 1\)$/);
    expect(helpOf('--class')).toMatch(/default: the package\.json main and its "main" export\)$/);
    expect(helpOf('--name')).toMatch(/default: the bundle's package name\)$/);
    expect(helpOf('--driver-heap-memory')).toMatch(/\(default: 512\)$/);
    expect(helpOf('--fromSavepoint')).toMatch(/-s, --from-savepoint PATH/);
    expect(helpOf('--allowNonRestoredState')).toMatch(/-n, --allow-non-restored-state/);
  });
});

describe("flotilla run's -s and -n", () => {
  it('reach the RunApplication request as its savepoint', () => {
    const args = parseCommandLine(runCommand, ['-D', '-s', '/savepoints/sp-1', '-n', 'bundle', '--top', '3'], {});
    const request = applicationRequestOf(args, deployedCluster(args.options), SubmissionMode.DRIVER);
    expect(request.savepoint).toEqual({ path: '/savepoints/sp-1', allowNonRestoredState: true });
    expect(request.args).toEqual(['--top', '3']);
    const long = parseCommandLine(runCommand, ['--fromSavepoint=/savepoints/sp-2', 'bundle'], {});
    expect(applicationRequestOf(long, deployedCluster(long.options), SubmissionMode.DRIVER).savepoint).toEqual({
      path: '/savepoints/sp-2',
      allowNonRestoredState: false,
    });
    const none = parseCommandLine(runCommand, ['bundle'], {});
    expect(applicationRequestOf(none, deployedCluster(none.options), SubmissionMode.DRIVER).savepoint).toBeUndefined();
  });

  it('-r reaches the request as resume, with -n as allow_non_restored_state; -s with -r is refused', async () => {
    const args = parseCommandLine(runCommand, ['-D', '-r', '-n', 'bundle'], {});
    const request = applicationRequestOf(args, deployedCluster(args.options), SubmissionMode.DRIVER);
    expect(request.resume).toBe(true);
    expect(request.savepoint).toEqual({ path: '', allowNonRestoredState: true });
    const both = parseCommandLine(runCommand, ['-D', '-r', '-s', '/savepoints/sp-1', 'bundle'], {});
    await expect(runRun(both)).rejects.toThrow(/-s\/--fromSavepoint and -r\/--resume contradict each other/);
  });

  it('refuse -n without -s before anything is sent', async () => {
    const args = parseCommandLine(runCommand, ['-D', '-n', 'bundle'], {});
    await expect(runRun(args)).rejects.toThrow(UsageError);
    await expect(runRun(args)).rejects.toThrow(
      /-n\/--allowNonRestoredState only applies with -s\/--fromSavepoint PATH or -r/,
    );
  });
});

describe("flotilla run's --driver-attempts", () => {
  it('reaches the RunApplication request, and is absent (the default, 1) when not given', () => {
    expect(helpOf('--driver-attempts')).toMatch(/\(default: 1, no retry\)$/);
    const args = parseCommandLine(runCommand, ['-D', '--driver-attempts', '3', 'bundle'], {});
    expect(applicationRequestOf(args, deployedCluster(args.options), SubmissionMode.DRIVER).driverAttempts).toBe(3);
    const none = parseCommandLine(runCommand, ['-D', 'bundle'], {});
    expect(applicationRequestOf(none, deployedCluster(none.options), SubmissionMode.DRIVER).driverAttempts).toBe(
      undefined,
    );
  });

  it('is refused out of range, or with more than one attempt outside driver mode, before anything is sent', async () => {
    for (const value of ['0', '11', '1.5']) {
      const args = parseCommandLine(runCommand, ['-D', '--driver-attempts', value, 'bundle'], {});
      await expect(runRun(args)).rejects.toThrow(/--driver-attempts must be/);
    }
    const session = parseCommandLine(runCommand, ['-m', '127.0.0.1:1', '--driver-attempts', '2', 'bundle'], {});
    await expect(runRun(session)).rejects.toThrow(/--driver-attempts applies to driver mode \(-D\) only/);
  });
});
