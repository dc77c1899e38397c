// Figure 7 (issue 16 part 6): what checkpoints cost a keyed streaming job, and how long it takes
// to recover from a lost task executor.
//
// Throughput: a keyed count (generator at full speed → keyBy(n % 1000) → count → writeAsText) of N
// records in STREAMING mode at parallelism 2 on 1 job manager + 1 task executor with 2 slots, timed
// from execute() to its result, with checkpoints every 1 s into a folder (subject) and without
// (floor), alternating which goes first, several runs each. Ratio = with / without; the target is
// an overhead of at most 10 %, a ratio of at least 0.9. Checkpoint durations come from the
// manifests the checkpointed runs leave (`_metadata`: completedAt − timestamp, every checkpoint
// kept). Recovery: the same job without end, rate-limited, on two task executors with a restart
// strategy; a task executor running its tasks is killed (-9), and the time is taken from the kill
// to the job RUNNING again (its status event) and to the first checkpoint completed after the
// kill (the first output committed again); a new task executor replaces the killed one each time.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importBenchPipelines, startBenchCluster } from '../lib/cluster.mjs';
import { readProfiles } from '../lib/cpuProfile.mjs';
import { importDist } from '../lib/paths.mjs';
import { wallClockMs } from '../lib/processes.mjs';
import { formatNumber, median } from '../lib/stats.mjs';

const { ExecutionState, JobStatus } = await importDist('dist/generated/flotilla/v1/status.js');

export const figure = {
  id: '7',
  title:
    'Keyed streaming count at full speed, parallelism 2, 1 job manager + 1 task executor with 2 slots: records/s with checkpoints every 1 s against none; checkpoint duration; recovery after kill -9 of a task executor',
  target: 'ratio with / without checkpoints ≥ 0.9 (overhead ≤ 10 %)',
};

const INTERVAL_MS = 1000;
/** The recovery job's rate: enough to keep every task busy, little enough not to fill the disk. */
const RECOVERY_RATE = 20_000;
const RESTART = { kind: 'fixedDelay', maxAttempts: 100, delayMs: 100 };

/** Every checkpoint manifest under `folder` (one job's checkpoints or several jobs'). */
function manifestsIn(folder) {
  if (!existsSync(folder)) return [];
  const manifests = [];
  for (const job of readdirSync(folder))
    for (const name of readdirSync(join(folder, job)))
      if (/^chk-\d+$/.test(name) && existsSync(join(folder, job, name, '_metadata')))
        manifests.push(JSON.parse(readFileSync(join(folder, job, name, '_metadata'), 'utf8')));
  return manifests;
}

/** How many lines the committed part files of `folder` hold. */
function committedLines(folder) {
  let lines = 0;
  for (const name of readdirSync(folder))
    if (name.startsWith('part-')) {
      const text = readFileSync(join(folder, name), 'utf8');
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    }
  return lines;
}

export async function run({ smoke, log, profile = true }) {
  const records = smoke ? 1_500_000 : 6_000_000;
  const runs = smoke ? 1 : 7;
  const kills = smoke ? 1 : 3;
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-streaming-'));
  const { keyedCount } = await importBenchPipelines();
  const withCheckpoints = [];
  const without = [];
  const durations = [];
  const checkpointsPerRun = [];
  const checks = [];
  let recovery;
  let profileMarkdown = '';
  let cluster;
  try {
    cluster = await startBenchCluster({ taskExecutors: 1, slots: 2 });
    const runJob = async (checkpointed, count, label) => {
      const output = join(work, `out-${label}`);
      const checkpoints = join(work, `chk-${label}`);
      const env = cluster
        .environment(2, {
          properties: checkpointed
            ? { 'state.checkpoints.dir': checkpoints, 'state.checkpoints.num-retained': '100000' }
            : {},
        })
        .setRuntimeMode('STREAMING');
      if (checkpointed) env.enableCheckpointing(INTERVAL_MS);
      keyedCount(env, output, count);
      const begin = performance.now();
      await env.execute(`keyed count ${label}`);
      const ms = performance.now() - begin;
      const manifests = manifestsIn(checkpoints);
      const lines = committedLines(output);
      rmSync(output, { recursive: true, force: true });
      rmSync(checkpoints, { recursive: true, force: true });
      if (lines !== count) throw new Error(`the ${label} run committed ${lines} lines, not one per record (${count})`);
      return { rate: count / (ms / 1000), ms, manifests };
    };
    // Warm-up: the task executor downloads and unpacks the bundle; each kind of run once.
    await runJob(true, 20_000, 'warm-up-checkpointed');
    await runJob(false, 20_000, 'warm-up');
    for (let i = 0; i < runs; i++) {
      const checkpointedRun = async () => {
        const { rate, manifests } = await runJob(true, records, `checkpointed-${i}`);
        withCheckpoints.push(rate);
        checkpointsPerRun.push(manifests.length);
        for (const manifest of manifests) durations.push(manifest.completedAt - manifest.timestamp);
      };
      const plainRun = async () => without.push((await runJob(false, records, `plain-${i}`)).rate);
      for (const step of i % 2 === 0 ? [checkpointedRun, plainRun] : [plainRun, checkpointedRun]) await step();
      log(
        `run ${i + 1}/${runs}: with checkpoints ${Math.round(withCheckpoints.at(-1))} records/s (${checkpointsPerRun.at(-1)} checkpoints), without ${Math.round(without.at(-1))} records/s`,
      );
    }
    checks.push(
      `Every run committed exactly one line per record (${records} running counts), checked after each run; the checkpointed runs through the two-phase-commit sink.`,
    );
    await cluster.stop();
    cluster = undefined;
    recovery = await measureRecovery({ work, kills, keyedCount, log });
    // What the overhead is made of, whether or not it passes the target (it hovers near it on this machine).
    if (profile && !smoke) profileMarkdown = await profileCheckpointCost({ work, records, keyedCount, log });
  } finally {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const jobCommand = `keyedCount(env.setParallelism(2).setRuntimeMode('STREAMING'), OUTPUT, ${records}) from scripts/bench/bundle/pipelines.mjs; await env.execute()`;
  return {
    rows: [
      {
        label: `keyed streaming count, ${records} records, parallelism 2, checkpoints every 1 s`,
        subjectLabel: 'with checkpoints every 1 s (folder storage, two-phase-commit sink), execute() → result',
        unit: 'records/s',
        subject: withCheckpoints,
        floors: [
          {
            label: 'the same job without checkpoints',
            samples: without,
            command: jobCommand,
          },
        ],
        breakdown: [{ label: 'checkpoints completed per checkpointed run', samples: checkpointsPerRun, unit: '' }],
        target: figure.target,
        goal: { of: 'ratio', min: 0.9 },
        command: `env.enableCheckpointing(1000) with -Dstate.checkpoints.dir=DIR; ${jobCommand}`,
      },
      {
        label: 'checkpoint duration (trigger → last acknowledgement stored), same runs',
        subjectLabel: "completedAt − timestamp of every checkpoint's _metadata",
        unit: 'ms',
        subject: durations,
        target: 'p99 ≤ 1000 ms, the interval (so checkpoints never queue up)',
        goal: { of: 'p99', max: 1000 },
        command: 'the checkpointed runs above; manifests read from DIR/<jobId>/chk-*/_metadata',
      },
      {
        label: `recovery after kill -9 of a task executor running the job's tasks, until RUNNING for good`,
        subjectLabel: 'kill → the job status RUNNING it kept (the last RUNNING before the next checkpoint completed)',
        unit: 'ms',
        subject: recovery.toRunning,
        floors: [],
        breakdown: [
          { label: 'kill → the first RUNNING after the kill (it may fail again)', samples: recovery.toFirstRunning },
          {
            label: 'kill → the first checkpoint completed after the kill (output committed again)',
            samples: recovery.toCommitted,
          },
          { label: 'FAILING transitions between the kill and that checkpoint', samples: recovery.failures, unit: '' },
        ],
        target: 'none set by issue 16 (measured)',
        command: `keyedCount(env, OUTPUT) at ${RECOVERY_RATE} records/s without end, checkpoints every 1 s, restart strategy fixedDelay 100 ms; 2 task executors × 2 slots, default heartbeats (1 s, timeout 10 s); kill -9 of the task executor hosting a RUNNING task`,
      },
    ],
    notes: [
      `${runs} runs of each after one warm-up of each on 20,000 records; with and without checkpoints alternate which goes first.`,
      `Checkpoints: ${durations.length} in all; all kept (state.checkpoints.num-retained=100000) so that every manifest can be read; the job writes a running count per record (STREAMING), so the output is ${records} lines per run.`,
      `Overhead: ${((1 - median(withCheckpoints) / median(without)) * 100).toFixed(1)} % (1 − ratio of the medians).`,
      `Recovery: ${kills} kill(s), the job's status changes as watched from the job manager: ${recovery.restarts.join('; ')}.`,
      ...checks,
    ],
    extra: profileMarkdown,
  };
}

/**
 * Runs the endless job on two task executors and kills, `kills` times, one that runs its tasks.
 * Returns the times from each kill to RUNNING again and to the first checkpoint completed after it.
 */
async function measureRecovery({ work, kills, keyedCount, log }) {
  const cluster = await startBenchCluster({ taskExecutors: 2, slots: 2 });
  const toFirstRunning = [];
  const toRunning = [];
  const toCommitted = [];
  const failures = [];
  const restarts = [];
  const abort = new AbortController();
  let watching;
  try {
    const checkpoints = join(work, 'chk-recovery');
    const env = cluster
      .environment(2, {
        properties: { 'state.checkpoints.dir': checkpoints, 'state.checkpoints.num-retained': '100000' },
        restartStrategy: RESTART,
      })
      .setRuntimeMode('STREAMING')
      .enableCheckpointing(INTERVAL_MS);
    keyedCount(env, join(work, 'out-recovery'), undefined, RECOVERY_RATE);
    const client = await env.executeAsync('keyed count, recovery');
    const jobId = client.getJobID();
    /** Job statuses and where each task runs, as the events arrive (arrival time on this machine's clock). */
    const statuses = [];
    const hosts = new Map();
    watching = (async () => {
      try {
        for await (const { event } of cluster.dispatcher.watchJobEvents(
          { afterSequence: 0n, jobId, follow: true },
          { signal: abort.signal },
        )) {
          const kind = event?.kind;
          if (kind?.$case === 'jobStatusChanged')
            statuses.push({ status: kind.jobStatusChanged.status, at: wallClockMs() });
          if (kind?.$case === 'taskStateChanged' && kind.taskStateChanged.state === ExecutionState.RUNNING)
            hosts.set(`${kind.taskStateChanged.vertexId}/${kind.taskStateChanged.subtaskIndex}`, {
              taskExecutorId: kind.taskStateChanged.taskExecutorId,
            });
        }
      } catch (error) {
        if (error?.name !== 'AbortError') throw error;
      }
    })();
    const waitFor = async (what, check, timeoutMs = 120_000) => {
      for (const begin = performance.now(); performance.now() - begin < timeoutMs;) {
        const value = check();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    };
    const completedSince = (since) =>
      manifestsIn(checkpoints)
        .filter((manifest) => manifest.timestamp >= since)
        .sort((a, b) => a.completedAt - b.completedAt)[0];
    await waitFor('the first checkpoint', () => completedSince(0));
    for (let kill = 0; kill < kills; kill++) {
      const overview = await cluster.dispatcher.requestClusterOverview({});
      const hosting = new Set([...hosts.values()].map((host) => host.taskExecutorId));
      const victim = overview.taskExecutorInfos.find((info) => hosting.has(info.id) && info.pid > 0);
      if (!victim) throw new Error('no registered task executor runs a task of the job');
      const seen = statuses.length;
      const killedAt = wallClockMs();
      process.kill(victim.pid, 'SIGKILL');
      const committed = await waitFor('a checkpoint after the kill', () => completedSince(killedAt));
      const changes = statuses.slice(seen).filter((change) => change.at <= committed.completedAt);
      // The job may come back RUNNING and fail again before it stays RUNNING: both are kept.
      const running = changes.filter((change) => change.status === JobStatus.RUNNING);
      if (running.length === 0) throw new Error('a checkpoint completed after the kill, but the job never restarted');
      toFirstRunning.push(running[0].at - killedAt);
      toRunning.push(running.at(-1).at - killedAt);
      toCommitted.push(committed.completedAt - killedAt);
      failures.push(changes.filter((change) => change.status === JobStatus.FAILING).length);
      const path = changes
        .map((change) => `${JobStatus[change.status]} +${Math.round(change.at - killedAt)}`)
        .join(', ');
      restarts.push(
        `kill ${kill + 1} (ms after it): ${path}; checkpoint ${committed.checkpointId} completed +${Math.round(committed.completedAt - killedAt)}`,
      );
      log(restarts.at(-1));
      // A new task executor takes the killed one's place, so the next kill leaves room for the job.
      await cluster.addTaskExecutor();
      const joined = wallClockMs();
      await waitFor('a checkpoint with the new task executor', () => completedSince(joined));
    }
    await client.cancel();
  } finally {
    abort.abort();
    await watching;
    await cluster.stop();
  }
  return { toFirstRunning, toRunning, toCommitted, failures, restarts };
}

/** One run of the job (with checkpoints or without) with the task executor under --cpu-prof: its time and the profiles of its threads. */
async function profiledRun({ work, records, keyedCount, checkpointed }) {
  const label = checkpointed ? 'checkpointed' : 'plain';
  const folder = join(work, `cpu-profiles-${label}`);
  const cluster = await startBenchCluster({
    taskExecutors: 1,
    slots: 2,
    taskExecutorNodeArgs: ['--cpu-prof', '--cpu-prof-dir', folder],
  });
  let ms;
  try {
    const env = cluster
      .environment(2, { properties: checkpointed ? { 'state.checkpoints.dir': join(work, 'chk-profiled') } : {} })
      .setRuntimeMode('STREAMING');
    if (checkpointed) env.enableCheckpointing(INTERVAL_MS);
    keyedCount(env, join(work, `out-profiled-${label}`), records);
    const begin = performance.now();
    await env.execute(`keyed count, profiled, ${label}`);
    ms = performance.now() - begin;
  } finally {
    await cluster.stop();
  }
  return { ms, profiles: existsSync(folder) ? readProfiles(folder) : [] };
}

/** CPU time of a run's threads: busy and GC in all, and self time by function summed over threads. */
function cpuOf(profiles) {
  const functions = new Map();
  let busyMs = 0;
  let gcMs = 0;
  for (const { summary } of profiles) {
    busyMs += summary.totalMs - summary.idleMs;
    gcMs += summary.gcMs;
    for (const [name, ms] of summary.functions) functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  return { busyMs, gcMs, functions };
}

/**
 * The job once without checkpoints and once with, each with the task executor under --cpu-prof;
 * Markdown of what the checkpointed run's threads spent more CPU on, function by function.
 */
async function profileCheckpointCost({ work, records, keyedCount, log }) {
  const plain = await profiledRun({ work, records, keyedCount, checkpointed: false });
  const checkpointed = await profiledRun({ work, records, keyedCount, checkpointed: true });
  if (plain.profiles.length === 0 || checkpointed.profiles.length === 0)
    return '**CPU profile:** the task executor wrote no profile.';
  const [a, b] = [cpuOf(plain.profiles), cpuOf(checkpointed.profiles)];
  log(`profiled runs: ${Math.round(plain.ms)} ms without checkpoints, ${Math.round(checkpointed.ms)} ms with`);
  const names = new Set([...a.functions.keys(), ...b.functions.keys()]);
  const differences = [...names]
    .filter((name) => !name.startsWith('(idle)'))
    .map((name) => [name, a.functions.get(name) ?? 0, b.functions.get(name) ?? 0])
    .sort((x, y) => y[2] - y[1] - (x[2] - x[1]))
    .slice(0, 12);
  const row = (name, without, withCheckpoints) =>
    `| ${name} | ${formatNumber(without)} | ${formatNumber(withCheckpoints)} | ${formatNumber(withCheckpoints - without)} |`;
  return [
    '#### What checkpoints cost, by profile (two extra runs, task executor under `--cpu-prof`)',
    '',
    `The same job (${records} records) once without checkpoints and once with, each on a fresh cluster whose task executor ran as \`node --cpu-prof --cpu-prof-dir DIR bin/flotilla.js taskexecutor …\`: ${Math.round(plain.ms)} ms without, ${Math.round(checkpointed.ms)} ms with (profiling slows both). CPU time of the task executor's threads (main thread and the four task workers), summed; the functions are those whose self time grew the most with checkpoints:`,
    '',
    '| CPU of the task executor, ms | without checkpoints | with checkpoints | difference |',
    '| --- | --- | --- | --- |',
    row('busy (all threads)', a.busyMs, b.busyMs),
    row('of which garbage collection', a.gcMs, b.gcMs),
    ...differences.map(([name, without, withCheckpoints]) =>
      row(`\`${name.replaceAll('|', '\\|')}\``, without, withCheckpoints),
    ),
  ].join('\n');
}
