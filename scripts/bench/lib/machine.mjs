// What the benchmarks ran on: the numbers only mean something next to the machine and its load.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem, freemem, release } from 'node:os';

/** The machine, the Node version and the time, as the report's header shows them. */
export function describeMachine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1].trim();
  } catch {
    // not Linux: keep what os.cpus() says
  }
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel,
    memoryGiB: totalmem() / 1024 ** 3,
    freeMemoryGiB: freemem() / 1024 ** 3,
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverage: loadavg(),
  };
}
