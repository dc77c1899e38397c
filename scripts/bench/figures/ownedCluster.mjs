// Figure 2: an owned cluster on demand, from the RunApplication request to the driver's main()
// starting, for 1, 2 and 4 task executors. The start is the application's DEPLOYING event (written
// when the control plane accepts the request); the end is the wall-clock time the benchmark
// bundle's main() writes into a file as its first statement (same machine, same clock). The
// events give the parts: deploying the cluster, submitting and deploying the driver job, loading
// the bundle and main(). Floor, measured in the same iteration: spawning as many bare `node`
// processes (1 job manager + N task executors) until each has printed a line, all at once, and
// (for reference) in the cluster's shape: one, then N.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEvent, isClusterRunning, isDeploying, isDriverRunning, startBenchControlPlane } from '../lib/controlPlane.mjs';
import { performance } from 'node:perf_hooks';
import { killChildren, spawnBareNodes, startServer, wallClockMs } from '../lib/processes.mjs';

export const figure = {
  id: '2',
  title: 'Owned cluster on demand: RunApplication request to the driver\'s main() starting',
  target: 'median <= 1 s; report how it grows with 1, 2, 4 task executors',
};

const eventMs = (event) => event.time.getTime();

export async function run({ smoke, log }) {
  const sizes = smoke ? [1, 2] : [1, 2, 4];
  const runs = smoke ? 1 : 10;
  const controlPlane = await startBenchControlPlane();
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-owned-'));
  const rows = [];
  try {
    // One warm-up application: the first deployment pays for cold caches.
    await runApplication(controlPlane, 1, join(work, 'warm-up'));
    for (const taskExecutors of sizes) {
      const series = { jobManagerAlone: [], total: [], request: [], deploy: [], driverSubmit: [], driverStart: [], parallelFloor: [], shapedFloor: [] };
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
        const measured = await runApplication(controlPlane, taskExecutors, join(work, `main-${taskExecutors}-${i}`));
        for (const key of Object.keys(measured)) series[key].push(measured[key]);
        log(`${taskExecutors} task executor(s), run ${i + 1}/${runs}: ${measured.total.toFixed(0)} ms (cluster ${measured.deploy.toFixed(0)} ms), floor ${parallel.ms.toFixed(0)} ms`);
      }
      rows.push({
        label: `${taskExecutors} task executor${taskExecutors > 1 ? 's' : ''}`,
        subjectLabel: 'DEPLOYING event → main() started',
        unit: 'ms',
        subject: series.total,
        floors: [
          { label: `${1 + taskExecutors} bare node processes at once`, samples: series.parallelFloor, command: `${1 + taskExecutors} × node -e "process.stdout.write('up\\n'); …"` },
          { label: `1, then ${taskExecutors} bare node processes`, samples: series.shapedFloor },
        ],
        breakdown: [
          { label: 'request sent (client clock) → DEPLOYING event', samples: series.request },
          { label: 'DEPLOYING → cluster RUNNING (every task executor registered)', samples: series.deploy },
          { label: 'cluster RUNNING → driver task RUNNING', samples: series.driverSubmit },
          { label: 'driver task RUNNING → main() started', samples: series.driverStart },
          { label: 'for scale: one `flotilla jobmanager` started alone → its "listening on" line', samples: series.jobManagerAlone },
        ],
        target: 'median <= 1 s',
        goal: { of: 'median', max: 1000 },
        command: `RunApplication(driver mode, deploy {task_executors: ${taskExecutors}}) of scripts/bench/bundle with args [MARKER_FILE]`,
      });
    }
  } finally {
    await controlPlane.close();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    rows,
    notes: [
      `${runs} run(s) per size after one warm-up application; each application is followed to FINISHED and its cluster's processes are gone before the next iteration.`,
      'Event times are stamped by the control plane (millisecond resolution); main() start is read from the file the driver writes (sub-millisecond wall clock of the same machine).',
      'Slots per task executor are the control plane\'s default (parallelism + 1 = 2).',
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
    total: mainStarted - deploying,
    request: deploying - requestSent,
    deploy: clusterRunning - deploying,
    driverSubmit: driverRunning - clusterRunning,
    driverStart: mainStarted - driverRunning,
  };
}
