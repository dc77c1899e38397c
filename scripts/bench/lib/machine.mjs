// What the benchmarks ran on: the numbers only mean something next to the machine and its load.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem, freemem, release } from 'node:os';

/** The commit the benchmarks ran on, and whether the working tree had changes; "unknown" outside a git clone. */
function describeCommit(root) {
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const commit = git('rev-parse', '--short=12', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return changed ? `${commit} with ${changed} changed file(s) not committed` : commit;
  } catch {
    return 'unknown (not a git clone)';
  }
}

/** The machine, the Node version and the time, as the report's header shows them. */
export function describeMachine(root) {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1].trim();
  } catch {
    // not Linux: keep what os.cpus() says
  }
  return {
    date: new Date().toISOString(),
    commit: describeCommit(root),
    cores: availableParallelism(),
    cpuModel,
    memoryGiB: totalmem() / 1024 ** 3,
    freeMemoryGiB: freemem() / 1024 ** 3,
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverage: loadavg(),
  };
}
