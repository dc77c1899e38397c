// Figure 2: an owned cluster on demand, from the RunApplication request to the driver's main()
// starting, for 1, 2 and 4 task executors. The start is the application's DEPLOYING event (written
// when the control plane accepts the request); the end is the wall-clock time the benchmark
// bundle's main() writes into a file as its first statement (same machine, same clock). The
// events give the parts: deploying the cluster, submitting and deploying the driver job, loading
// the bundle and main(). Floor, measured in the same iteration: spawning as many bare `node`
// processes (1 job manager + N task executors) until each has printed a line, all at once, and
// (for reference) in the cluster's shape: one, then N. A few more applications per size, watched,
// give the processor time the cluster's processes used until main() started (/proc), against
// what the machine's cores can give in that time; unless --no-profile, one more on a cluster whose
// processes run under --cpu-prof says where that time goes. With --kubernetes (`kubernetes` below,
// the test cluster run.mjs started) the same is measured on pods, in the same run
// (ownedClusterKubernetes.mjs).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findEvent,
  isClusterRunning,
  isDeploying,
  isDriverRunning,
  startBenchControlPlane,
} from '../lib/controlPlane.mjs';
import { performance } from 'node:perf_hooks';
import { mergeSummaries, profilesToMarkdown, readProfiles } from '../lib/cpuProfile.mjs';
import {
  clusterProcesses,
  cpuTimeMs,
  killChildren,
  spawnBareNodes,
  startServer,
  wallClockMs,
} from '../lib/processes.mjs';
import { formatNumber } from '../lib/stats.mjs';
import { kubernetesRows } from './ownedClusterKubernetes.mjs';

export const figure = {
  id: '2',
  title: "Owned cluster on demand: RunApplication request to the driver's main() starting",
  target: 'median <= 1 s; report how it grows with 1, 2, 4 task executors',
};

const eventMs = (event) => event.time.getTime();

export async function run({ smoke, log, profile = true, kubernetes }) {
  const sizes = smoke ? [1, 2] : [1, 2, 4];
  const runs = smoke ? 1 : 10;
  const watchedRuns = smoke ? 1 : 3;
  const cores = availableParallelism();
  const controlPlane = await startBenchControlPlane();
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-owned-'));
  // The clusters' processes write their output (and profiles) here, as users of their own when the control plane runs as root.
  chmodSync(work, 0o1777);
  const rows = [];
  try {
    // One warm-up application: the first deployment pays for cold caches.
    await runApplication(controlPlane, 1, join(work, 'warm-up'));
    for (const taskExecutors of sizes) {
      const series = {
        jobManagerAlone: [],
        total: [],
        request: [],
        deploy: [],
        driverSubmit: [],
        driverStart: [],
        parallelFloor: [],
        shapedFloor: [],
      };
      for (let i = 0; i < runs; i++) {
        const parallel = await spawnBareNodes([1 + taskExecutors]);
        await killChildren(parallel.children);
        const shaped = await spawnBareNodes([1, taskExecutors]);
        await killChildren(shaped.children);
        // One cluster process started alone, for scale: `flotilla jobmanager` until its listening line.
        const jobManagerBegin = performance.now();
        const jobManager = await startServer('jobmanager', ['--state-dir', join(work, `jm-${taskExecutors}-${i}`)]);
        series.jobManagerAlone.push(performance.now() - jobManagerBegin);
        await jobManager.stop('SIGKILL');
        series.parallelFloor.push(parallel.ms);
        series.shapedFloor.push(shaped.ms);
        const { parts: measured } = await runApplication(
          controlPlane,
          taskExecutors,
          join(work, `main-${taskExecutors}-${i}`),
        );
        for (const key of Object.keys(measured)) series[key].push(measured[key]);
        log(
          `${taskExecutors} task executor(s), run ${i + 1}/${runs}: ${measured.total.toFixed(0)} ms (cluster ${measured.deploy.toFixed(0)} ms), floor ${parallel.ms.toFixed(0)} ms`,
        );
      }
      const cpu = { jobManager: [], taskExecutor: [], all: [], perCore: [] };
      for (let i = 0; i < watchedRuns; i++) {
        const used = await runWatchingCpu(controlPlane, taskExecutors, join(work, `watched-${taskExecutors}-${i}`));
        const all = used.jobManager + used.taskExecutors.reduce((sum, ms) => sum + ms, 0);
        cpu.jobManager.push(used.jobManager);
        cpu.taskExecutor.push(...used.taskExecutors);
        cpu.all.push(all);
        cpu.perCore.push(all / cores);
        log(
          `${taskExecutors} task executor(s), watched run ${i + 1}/${watchedRuns}: the cluster's processes used ${all} ms of CPU until main() started`,
        );
      }
      rows.push({
        label: `${taskExecutors} task executor${taskExecutors > 1 ? 's' : ''}`,
        subjectLabel: 'DEPLOYING event → main() started',
        unit: 'ms',
        subject: series.total,
        floors: [
          {
            label: `${1 + taskExecutors} bare node processes at once`,
            samples: series.parallelFloor,
            command: `${1 + taskExecutors} × node -e "process.stdout.write('up\\n'); …"`,
          },
          { label: `1, then ${taskExecutors} bare node processes`, samples: series.shapedFloor },
        ],
        breakdown: [
          { label: 'request sent (client clock) → DEPLOYING event', samples: series.request },
          { label: 'DEPLOYING → cluster RUNNING (every task executor registered)', samples: series.deploy },
          { label: 'cluster RUNNING → driver task RUNNING', samples: series.driverSubmit },
          { label: 'driver task RUNNING → main() started', samples: series.driverStart },
          {
            label: 'for scale: one `flotilla jobmanager` started alone → its "listening on" line',
            samples: series.jobManagerAlone,
          },
          {
            label: `CPU time (user + system, /proc) from spawn to main() started: job manager (${watchedRuns} more runs)`,
            samples: cpu.jobManager,
          },
          { label: 'CPU time: each task executor (its task threads included)', samples: cpu.taskExecutor },
          { label: `CPU time: all of the cluster's processes`, samples: cpu.all },
          {
            label: `CPU time of all, divided by ${cores} cores: the least wall time it can take`,
            samples: cpu.perCore,
          },
        ],
        target: 'median <= 1 s',
        goal: { of: 'median', max: 1000 },
        command: `RunApplication(driver mode, deploy {task_executors: ${taskExecutors}}) of scripts/bench/bundle with args [MARKER_FILE]`,
      });
    }
  } finally {
    await controlPlane.close();
  }
  if (kubernetes)
    rows.push(
      ...(await kubernetesRows({ cluster: kubernetes, sizes: smoke ? [1] : [1, 2], runs: smoke ? 1 : runs, log })),
    );
  let profileMarkdown = '';
  try {
    if (profile) profileMarkdown = await profileOwnedCluster({ work, log, taskExecutors: sizes.at(-1), cores });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    extra: profileMarkdown,
    rows,
    notes: [
      `${runs} run(s) per size after one warm-up application; each application is followed to FINISHED and its cluster's processes are gone before the next iteration.`,
      'Event times are stamped by the control plane (millisecond resolution); main() start is read from the file the driver writes (sub-millisecond wall clock of the same machine).',
      "Slots per task executor are the control plane's default (parallelism + 1 = 2).",
      `CPU time: ${watchedRuns} more application(s) per size, during which the benchmark reads /proc/PID/stat of the cluster's processes every 10 ms until the driver's marker file exists (10 ms ticks); the wall time of those runs is not counted above.`,
      ...(kubernetes
        ? [
            "Kubernetes rows (`--kubernetes`): the project's test cluster (scripts/k8s/cluster.mjs: Kubernetes 1.20 built from Debian's source, one kubelet on containerd on this machine, CNI bridge), started by this run and measured after the local rows with the same number of runs per size after one warm-up application; each application's pods are gone before the next. Pods request 0.1 (job manager) and 0.2 (task executor) cpu, limits 10× that; the image (scripts/k8s/image.mjs, from this checkout's dist/) is imported into the node's containerd, pull policy Never. The job manager's and task executors' log times are their own pino timestamps (same machine, same clock); the control plane's cluster events are stamped when its pod watch saw a change.",
          ]
        : []),
    ],
  };
}

/** Runs one application on a new owned cluster of `taskExecutors`; resolves with its timings once its cluster is gone. */
async function runApplication(controlPlane, taskExecutors, markerFile) {
  const requestSent = wallClockMs();
  const applicationId = await controlPlane.runApplication({ args: [markerFile], taskExecutors });
  const events = await controlPlane.followUntilEnd(applicationId);
  await controlPlane.waitForNoClusterProcesses();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const deploying = eventMs(findEvent(events, isDeploying, 'DEPLOYING event'));
  const clusterRunning = eventMs(findEvent(events, isClusterRunning, 'cluster RUNNING event'));
  const driverRunning = eventMs(findEvent(events, isDriverRunning, 'driver task RUNNING event'));
  const mainStarted = Number(readFileSync(markerFile, 'utf8'));
  return {
    deploying,
    mainStarted,
    parts: {
      total: mainStarted - deploying,
      request: deploying - requestSent,
      deploy: clusterRunning - deploying,
      driverSubmit: driverRunning - clusterRunning,
      driverStart: mainStarted - driverRunning,
    },
  };
}

/** The processor time a process has used, in ms ({@link cpuTimeMs}); undefined once it is gone. */
function cpuMsOf(pid) {
  try {
    return cpuTimeMs(pid);
  } catch {
    return undefined;
  }
}

/**
 * Runs one application while reading the CPU time of its cluster's processes every 10 ms until the
 * driver's marker file exists; resolves with each process's last reading before that.
 */
async function runWatchingCpu(controlPlane, taskExecutors, markerFile) {
  const seen = new Map(); // pid -> { role, cpuMs }
  let stopped = false;
  const watching = (async () => {
    while (!stopped && !existsSync(markerFile)) {
      if (seen.size < 1 + taskExecutors) {
        for (const pid of clusterProcesses(controlPlane.stateDir)) {
          if (!seen.has(pid))
            seen.set(pid, {
              role: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('taskexecutor')
                ? 'taskexecutor'
                : 'jobmanager',
              cpuMs: 0,
            });
        }
      }
      for (const [pid, entry] of seen) entry.cpuMs = cpuMsOf(pid) ?? entry.cpuMs;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await runApplication(controlPlane, taskExecutors, markerFile);
  } finally {
    stopped = true;
    await watching;
  }
  const entries = [...seen.values()];
  return {
    jobManager: entries.find((entry) => entry.role === 'jobmanager')?.cpuMs ?? Number.NaN,
    taskExecutors: entries.filter((entry) => entry.role === 'taskexecutor').map((entry) => entry.cpuMs),
  };
}

/**
 * One application (after a warm-up one) on an owned cluster of `taskExecutors` whose processes run
 * under --cpu-prof (FLOTILLA_ENV_NODE_OPTS of the control plane); Markdown of where their time went.
 */
async function profileOwnedCluster({ work, log, taskExecutors, cores }) {
  const folder = join(work, 'cpu-profiles');
  const controlPlane = await startBenchControlPlane({
    env: { FLOTILLA_ENV_NODE_OPTS: `--cpu-prof --cpu-prof-dir ${folder}` },
  });
  let measured;
  try {
    await runApplication(controlPlane, taskExecutors, join(work, 'profiled-warm-up'));
    rmSync(folder, { recursive: true, force: true });
    measured = await runApplication(controlPlane, taskExecutors, join(work, 'profiled'));
  } finally {
    await controlPlane.close();
  }
  const profiles = readProfiles(folder);
  const mainThreadsOf = (file) => profiles.filter((profile) => profile.thread === 0 && profile.summary.files.has(file));
  const jobManager = mainThreadsOf('jobManager.js');
  const taskExecutorThreads = mainThreadsOf('taskExecutor.js');
  const workers = profiles.filter((profile) => profile.thread !== 0);
  log(
    `profiled one application on ${taskExecutors} task executors: ${formatNumber(measured.parts.total)} ms to main() under the profiler`,
  );
  return [
    '#### Where the time goes (a separate control plane whose cluster processes run under `--cpu-prof`)',
    '',
    `One application on an owned cluster of ${taskExecutors} task executors after a warm-up one (${formatNumber(measured.parts.total)} ms from DEPLOYING to`,
    `main() under the profiler), profiled for the processes' whole lives: start, the driver, teardown. "Busy" is the time a thread was`,
    "not waiting in its event loop: on a processor, or ready and waiting for one of the machine's",
    `${cores} cores (the CPU-time rows above count only the former).`,
    '',
    profilesToMarkdown([
      { label: 'job manager, main thread', summary: mergeSummaries(jobManager.map((profile) => profile.summary)) },
      {
        label: `${taskExecutorThreads.length} task executors' main threads, summed`,
        summary: mergeSummaries(taskExecutorThreads.map((profile) => profile.summary)),
      },
      {
        label: `the driver's worker thread${workers.length === 1 ? '' : 's'}`,
        summary: mergeSummaries(workers.map((profile) => profile.summary)),
      },
    ]),
  ].join('\n');
}
