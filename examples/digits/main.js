// The second example application: two independent jobs that run at the same time. main() starts
// both with executeAsync() — which returns once a job is submitted, not when it ends — and then
// waits for both. Over the numbers 1..N, the first job sums the numbers by their last digit, the
// second counts them by their number of digits; each writes its own text files. Run it with:
//
//   flotilla run -D examples/digits --follow [N] [OUTPUT_FOLDER]
//
// main() runs inside the cluster as a driver job; its logger's lines go to the driver log
// (`flotilla logs APP`), on the LOGGER stream.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function main(env, args) {
  const n = Number(args[0] ?? 1000);
  const output = args[1] ?? join(tmpdir(), 'flotilla-digits');
  const log = env.getLogger('digits');
  // Below the default level (info): written only with -Dlogger.level=debug.
  log.debug('generating numbers', { from: 1, to: n });

  // Job 1: the sum of the numbers ending in each digit. In BATCH mode (the default for bounded
  // jobs) sum() emits one total per key.
  env
    .generateSequence(1, n)
    .map((value) => [value % 10, value])
    .keyBy((pair) => pair[0])
    .sum(1)
    .map(([digit, total]) => `${digit} ${total}`)
    .writeAsText(join(output, 'sum-by-last-digit'), { overwrite: true });
  const sums = await env.executeAsync('sum by last digit');

  // Job 2, submitted while job 1 runs: how many numbers have 1, 2, 3, ... digits.
  env
    .generateSequence(1, n)
    .map((value) => [String(value).length, 1])
    .keyBy((pair) => pair[0])
    .sum(1)
    .map(([digits, count]) => `${digits} ${count}`)
    .writeAsText(join(output, 'count-by-length'), { overwrite: true });
  const counts = await env.executeAsync('count by length');
  log.info('both jobs submitted', { sumsJobId: sums.getJobID(), countsJobId: counts.getJobID(), n });

  // Wait for both; a failure of either fails main(), and so the application.
  const [sumsResult, countsResult] = await Promise.all([sums.getJobExecutionResult(), counts.getJobExecutionResult()]);
  log.info('both jobs finished', {
    sumsMillis: sumsResult.getNetRuntime(),
    countsMillis: countsResult.getNetRuntime(),
    output,
  });
  console.log(`wrote ${join(output, 'sum-by-last-digit')} and ${join(output, 'count-by-length')}`);
}
