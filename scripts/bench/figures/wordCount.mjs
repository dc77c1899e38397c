// Figure 4: word count over generated text (100 MB in the full run) at parallelism 2 on a cluster
// of real processes: 1 job manager and 1 task executor with 2 slots (not the MiniCluster), timed
// from execute() to its result (submission, scheduling, reading, counting, writing the counts).
// Throughput is words per second. Floor, interleaved with it: a plain single-process
// loop (lib/wordCountLoop.mjs) computing the same counts over the same file. Ratio = engine / loop.
// The engine's output is checked against the loop's counts once, outside the timing; and one
// extra run with the task executor under --cpu-prof says where the engine's time goes.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { importBenchPipelines, startBenchCluster } from '../lib/cluster.mjs';
import { profilesToMarkdown, readProfiles } from '../lib/cpuProfile.mjs';
import { cpuTimeMs, runChecked } from '../lib/processes.mjs';
import { median } from '../lib/stats.mjs';
import { compareCounts, finalCountsOfFolder, writeWordText } from '../lib/wordText.mjs';

const LOOP = fileURLToPath(new URL('../lib/wordCountLoop.mjs', import.meta.url));

export const figure = {
  id: '4',
  title: 'Word count over generated text, parallelism 2, 1 job manager + 1 task executor with 2 slots: words/s',
  target: 'ratio engine / loop >= 1.0 (stretch 1.5)',
};

export async function run({ smoke, log, profile = true }) {
  const megabytes = smoke ? 2 : 100;
  const runs = smoke ? 2 : 7;
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-wordcount-'));
  const input = join(work, 'input.txt');
  const generateBegin = performance.now();
  const reference = writeWordText(input, megabytes * 1024 * 1024);
  const words = [...reference.values()].reduce((sum, count) => sum + count, 0);
  const bytes = statSync(input).size;
  log(
    `generated ${(bytes / 2 ** 20).toFixed(1)} MiB, ${words} words in ${(performance.now() - generateBegin).toFixed(0)} ms`,
  );
  const { wordCount } = await importBenchPipelines();
  const engine = [];
  const engineNet = [];
  const loop = [];
  const engineCpu = [];
  const loopCpu = [];
  const checks = [];
  let profileMarkdown = '';
  let cluster;
  try {
    cluster = await startBenchCluster({ taskExecutors: 1, slots: 2 });
    const runEngine = async (path, output) => {
      const env = cluster.environment(2);
      wordCount(env, path, output);
      const pids = [cluster.jobManager.pid, ...cluster.taskExecutors.map((worker) => worker.pid)];
      const cpuBefore = pids.map(cpuTimeMs);
      const begin = performance.now();
      const result = await env.execute('word count');
      const ms = performance.now() - begin;
      const cpuMs = pids.map(cpuTimeMs).reduce((sum, after, index) => sum + after - cpuBefore[index], 0);
      return { ms, netMs: result.getNetRuntime(), cpuMs };
    };
    // Warm-up on a small file: the task executor downloads and unpacks the bundle (each task starts a
    // worker thread of its own, so nothing else carries over from one job to the next).
    const small = join(work, 'warm-up.txt');
    writeWordText(small, 1024 * 1024, 7);
    await runEngine(small, join(work, 'warm-up-out'));
    for (let i = 0; i < runs; i++) {
      const runLoop = async () => {
        const countsFile = i === 0 ? join(work, 'loop-counts.json') : undefined;
        const { stdout } = await runChecked(process.execPath, [LOOP, input, ...(countsFile ? [countsFile] : [])]);
        const measured = JSON.parse(stdout);
        if (measured.words !== words)
          throw new Error(`the loop counted ${measured.words} words, the generator wrote ${words}`);
        if (countsFile) {
          const difference = compareCounts(reference, new Map(JSON.parse(readFileSync(countsFile, 'utf8'))));
          if (difference) throw new Error(`the loop's counts differ from the generator's: ${difference}`);
        }
        loop.push(words / (measured.ms / 1000));
        loopCpu.push(measured.cpuMs / 1000);
      };
      const runTimedEngine = async () => {
        const output = join(work, 'counts');
        const { ms, netMs, cpuMs } = await runEngine(input, output);
        engine.push(words / (ms / 1000));
        engineCpu.push(cpuMs / 1000);
        engineNet.push(words / (netMs / 1000));
        if (i === 0) {
          const difference = compareCounts(reference, finalCountsOfFolder(output));
          checks.push(
            difference
              ? `the engine's output differs: ${difference}`
              : `the engine's final counts equal the loop's (${reference.size} distinct words), checked after run 1`,
          );
          if (difference) throw new Error(`the engine's final counts differ from the loop's: ${difference}`);
        }
        rmSync(output, { recursive: true, force: true });
      };
      for (const step of i % 2 === 0 ? [runLoop, runTimedEngine] : [runTimedEngine, runLoop]) await step();
      log(`run ${i + 1}/${runs}: engine ${Math.round(engine.at(-1))} words/s, loop ${Math.round(loop.at(-1))} words/s`);
    }
    await cluster.stop();
    cluster = undefined;
    if (profile) profileMarkdown = await profileOneRun({ work, input, wordCount, log });
  } finally {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    rows: [
      {
        label: `word count, ${Math.round(bytes / 2 ** 20)} MiB, parallelism 2`,
        subjectLabel: 'engine, execute() → result',
        unit: 'words/s',
        subject: engine,
        floors: [
          {
            label: 'plain single-process loop',
            samples: loop,
            command: `node ${LOOP.replace(/.*scripts\//, 'scripts/')} INPUT`,
          },
        ],
        breakdown: [
          { label: "engine, over the job's net runtime (JobExecutionResult.getNetRuntime())", samples: engineNet },
          {
            label: 'CPU time of one engine run: job manager + task executor processes, all threads (/proc/PID/stat)',
            samples: engineCpu,
            unit: 's',
          },
          { label: 'CPU time of one loop run (process.cpuUsage() over the timed part)', samples: loopCpu, unit: 's' },
        ],
        target: figure.target,
        goal: { of: 'ratio', min: 1.0 },
        command:
          'wordCount(env.setParallelism(2), INPUT, OUTPUT) from scripts/bench/bundle/pipelines.mjs; await env.execute()',
      },
    ],
    notes: [
      `Input: ${bytes} bytes, ${words} words (${reference.size} distinct), generated by scripts/bench/lib/wordText.mjs (seed 42, the generator of test/support/wordText.ts).`,
      `${runs} runs after one warm-up job on 1 MiB; loop and engine alternate which goes first.`,
      "The pipeline is the cluster tests' word count: readTextFile → flatMap(split) → map([word, 1]) → keyBy → sum → writeAsText, in the environment's default runtime mode (AUTOMATIC, so BATCH for this bounded job): each source subtask pre-aggregates its counts by word before the exchange and the engine writes one final count per word; the loop only keeps its Map. With env.setRuntimeMode('STREAMING') the engine would write a running count for every word (as many output lines as words).",
      'The loop runs in its own process and times itself from the first read to the final counts; the engine is timed by the client from execute() to its result.',
      `CPU time per word: the engine used ${(median(engineCpu) / median(loopCpu)).toFixed(1)}× the loop's (medians). On ${availableParallelism()} cores the engine can only beat the loop if it uses less than ${availableParallelism()}× the loop's CPU per word.`,
      ...checks,
    ],
    extra: profileMarkdown,
  };
}

/** One more engine run with the task executor under --cpu-prof; Markdown of where its threads spent their time. */
async function profileOneRun({ work, input, wordCount, log }) {
  const folder = join(work, 'cpu-profiles');
  const cluster = await startBenchCluster({
    taskExecutors: 1,
    slots: 2,
    taskExecutorNodeArgs: ['--cpu-prof', '--cpu-prof-dir', folder],
  });
  let ms;
  try {
    const env = cluster.environment(2);
    wordCount(env, input, join(work, 'profiled-counts'));
    const begin = performance.now();
    await env.execute('word count, profiled');
    ms = performance.now() - begin;
  } finally {
    await cluster.stop();
  }
  if (!existsSync(folder)) return '**CPU profile:** the task executor wrote no profile.';
  const profiles = readProfiles(folder);
  log(`profiled run: ${ms.toFixed(0)} ms, ${profiles.length} profile(s)`);
  return [
    "#### Where the engine's time goes (one extra run, task executor under `--cpu-prof`)",
    '',
    `One run of the same job with the task executor started as \`node --cpu-prof --cpu-prof-dir DIR bin/flotilla.js taskexecutor …\` took ${Math.round(ms)} ms`,
    "(profiling slows it down). Node writes one profile per thread: the task executor's main thread (RPCs, heartbeats, network) and one",
    'worker thread per task (2 × "Source: Text File → Flat Map → Map", 2 × "Keyed Aggregation → Sink: Text File"). Self time, by where the code lives and by function:',
    '',
    profilesToMarkdown(profiles),
  ].join('\n');
}
