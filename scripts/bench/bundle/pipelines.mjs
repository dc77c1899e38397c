// The benchmarks' pipelines. They live in the bundle, as users' pipelines do, so task executors
// load their functions from the unpacked bundle exactly as in production.

/** Word count (the cluster tests' pipeline): counts per word of the text at `input`, written to `output` (final counts in BATCH mode, running counts in STREAMING). */
export function wordCount(env, input, output) {
  env
    .readTextFile(input)
    .flatMap((line) => line.split(' ').filter((word) => word.length > 0))
    .map((word) => [word, 1])
    .keyBy((pair) => pair[0])
    .sum(1)
    .writeAsText(output, { overwrite: true });
}

/** A job of one chained vertex (source, map, sink): at parallelism 4 it has 4 subtasks. */
export function fourSubtasks(env, output) {
  env
    .generateSequence(1, 4000)
    .map((n) => n * 2)
    .writeAsText(output, { overwrite: true });
}

/**
 * A keyed streaming count (figure 7): `count` generated numbers (without end when not given), at
 * full speed unless `recordsPerSecond` is given, keyed by n % 1000, a running count per key
 * written to `output`. Run it in STREAMING mode: with checkpoints, the sink commits per checkpoint.
 */
export function keyedCount(env, output, count, recordsPerSecond) {
  env
    .fromGenerator((n) => n, {
      ...(count === undefined ? {} : { count }),
      ...(recordsPerSecond === undefined ? {} : { recordsPerSecond }),
    })
    .keyBy((n) => n % 1000)
    .count()
    .writeAsText(output, { overwrite: true });
}
