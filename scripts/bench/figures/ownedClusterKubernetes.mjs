// Figure 2 on Kubernetes (issue 19 part 9; `--kubernetes`): the same measurement as the local rows,
// DEPLOYING → the driver's main() started, with a control plane on --deployment-target kubernetes
// deploying to the project's test cluster (scripts/k8s/cluster.mjs), in the same run as the local
// rows. main() runs in a task executor pod, so it prints its start time (wall clock of the same
// machine: pods share its kernel) to the driver log instead of writing a file. Where the time
// goes comes from three clocks, all in milliseconds: the control plane's cluster events (stamped
// when its watch saw a pod scheduled or running, and when the job manager first answered), the
// job manager's and task executors' own log lines ("job manager started", "task executor
// started", "registered with the job manager", read from the kubelet's log files while main()
// waits), and the application's events. Kubernetes 1.20 stamps its own events and conditions in
// whole seconds, too coarse to split a start of a few seconds, so they are not used.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  findEvent,
  isClusterRunning,
  isDeploying,
  isDriverRunning,
  startBenchControlPlane,
} from '../lib/controlPlane.mjs';
import { FLOTILLA_BIN } from '../lib/paths.mjs';
import { runChecked, wallClockMs } from '../lib/processes.mjs';

/** Where the kubelet writes containers' logs (the test cluster's node is this machine). */
const POD_LOG_DIR = '/var/log/pods';
/** How long main() waits after it started, so that the pods' logs can be read before teardown. */
const MAIN_WAIT_MS = 1500;

const eventMs = (event) => event.time.getTime();

/** The time of the first cluster event whose message matches `pattern`; NaN when none does. */
function clusterNoteMs(events, pattern) {
  const event = events.find(
    (each) => each.kind?.$case === 'clusterStatusChanged' && pattern.test(each.kind.clusterStatusChanged.message),
  );
  return event ? eventMs(event) : Number.NaN;
}

/** The `time` of each log line of the pods whose names start with `prefix`, by message: the first line of each. */
function podLogTimes(prefix, times) {
  let folders = [];
  try {
    folders = readdirSync(POD_LOG_DIR).filter((name) => name.startsWith(`default_${prefix}`));
  } catch {
    return;
  }
  for (const folder of folders) {
    const pod = folder.split('_')[1];
    const container = join(POD_LOG_DIR, folder, 'flotilla');
    let text = '';
    try {
      for (const file of readdirSync(container)) text += readFileSync(join(container, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const json = line.indexOf('{');
      if (json < 0) continue;
      try {
        const entry = JSON.parse(line.slice(json));
        const key = `${pod}\t${entry.msg}`;
        if (typeof entry.time === 'number' && !times.has(key)) times.set(key, entry.time);
      } catch {
        // Not a log record (a partial line).
      }
    }
  }
}

/** Runs one application on a new owned cluster of pods; resolves with its timings once its pods are gone. */
async function runOnKubernetes(controlPlane, core, taskExecutors) {
  const requestSent = wallClockMs();
  const applicationId = await controlPlane.runApplication({ args: ['-', String(MAIN_WAIT_MS)], taskExecutors });
  const logTimes = new Map();
  let clusterId = '';
  let following = true;
  const reading = (async () => {
    while (following) {
      if (clusterId) podLogTimes(`flotilla-${clusterId}-`, logTimes);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  let events;
  try {
    events = await controlPlane.followUntilEnd(applicationId, (event) => {
      if (!clusterId && event.kind?.$case === 'clusterStatusChanged')
        clusterId = event.kind.clusterStatusChanged.clusterId;
    });
  } finally {
    following = false;
    await reading;
  }
  const { stdout } = await runChecked(process.execPath, [FLOTILLA_BIN, 'logs', applicationId], {
    env: controlPlane.env,
  });
  const mainStarted = Number(/main\(\) started at (\d+(?:\.\d+)?)/.exec(stdout)?.[1]);
  if (!Number.isFinite(mainStarted))
    throw new Error(`the driver log of ${applicationId} has no start time:\n${stdout}`);
  await podsGone(core);
  const log = (member, message) => logTimes.get(`flotilla-${clusterId}-${member}\t${message}`) ?? Number.NaN;
  const taskExecutorTimes = (message) =>
    Array.from({ length: taskExecutors }, (_, index) => log(`taskexecutor-${index}`, message));
  const last = (values) => Math.max(...values);
  const deploying = eventMs(findEvent(events, isDeploying, 'DEPLOYING event'));
  const jobManagerScheduled = clusterNoteMs(events, /-jobmanager was scheduled on /);
  const jobManagerRunning = clusterNoteMs(events, /-jobmanager is running on /);
  const jobManagerStarted = log('jobmanager', 'job manager started');
  const jobManagerListening = clusterNoteMs(events, /^job manager listening on /);
  const taskExecutorsScheduled = clusterNoteMs(events, /-taskexecutor-\d+ was scheduled on /);
  const taskExecutorsStarted = last(taskExecutorTimes('task executor started'));
  const taskExecutorsRegistered = last(taskExecutorTimes('registered with the job manager'));
  const clusterRunning = eventMs(findEvent(events, isClusterRunning, 'cluster RUNNING event'));
  const driverRunning = eventMs(findEvent(events, isDriverRunning, 'driver task RUNNING event'));
  return {
    total: mainStarted - deploying,
    request: deploying - requestSent,
    jobManagerScheduling: jobManagerScheduled - deploying,
    jobManagerStart: jobManagerStarted - jobManagerScheduled,
    jobManagerRunningSeen: jobManagerRunning - jobManagerScheduled,
    jobManagerAnswered: jobManagerListening - jobManagerStarted,
    taskExecutorScheduling: taskExecutorsScheduled - jobManagerListening,
    taskExecutorStart: taskExecutorsStarted - taskExecutorsScheduled,
    registration: taskExecutorsRegistered - taskExecutorsStarted,
    clusterRunning: clusterRunning - taskExecutorsRegistered,
    driverSubmit: driverRunning - clusterRunning,
    driverStart: mainStarted - driverRunning,
  };
}

/** Waits until no pod of Flotilla is left in the namespace (the owned cluster's teardown). */
async function podsGone(core, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'app.kubernetes.io/name=flotilla',
    });
    if (items.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `pods still there ${timeoutMs} ms after their application ended: ${items.map((pod) => pod.metadata.name)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The figure's rows for the Kubernetes target, sizes `sizes`, `runs` applications each after a warm-up one. */
export async function kubernetesRows({ cluster, sizes, runs, log }) {
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const controlPlane = await startBenchControlPlane({ args: cluster.controlPlaneArgs });
  const rows = [];
  try {
    // The first cluster pays for cold caches (the image's files in the page cache, the scheduler's).
    await runOnKubernetes(controlPlane, core, 1);
    for (const taskExecutors of sizes) {
      const series = {};
      for (let i = 0; i < runs; i++) {
        const measured = await runOnKubernetes(controlPlane, core, taskExecutors);
        for (const [key, value] of Object.entries(measured)) (series[key] ??= []).push(value);
        log(
          `Kubernetes, ${taskExecutors} task executor(s), run ${i + 1}/${runs}: ${measured.total.toFixed(0)} ms (job manager pod scheduled → started ${measured.jobManagerStart.toFixed(0)} ms, task executors ${measured.taskExecutorStart.toFixed(0)} ms)`,
        );
      }
      const known = (key) => series[key].filter((value) => Number.isFinite(value));
      rows.push({
        label: `Kubernetes, ${taskExecutors} task executor${taskExecutors > 1 ? 's' : ''} (pods on the test cluster)`,
        subjectLabel: 'DEPLOYING event → main() started, in a task executor pod',
        unit: 'ms',
        subject: series.total,
        breakdown: [
          { label: 'request sent (client clock) → DEPLOYING event', samples: known('request') },
          {
            label:
              "DEPLOYING → job manager pod scheduled (pod created, the scheduler's binding, seen by the control plane's watch)",
            samples: known('jobManagerScheduling'),
          },
          {
            label:
              'job manager pod scheduled → its "job manager started" log line (kubelet: sandbox with its network, container; the image is on the node, pull policy Never: no pull; then Node and the job manager start)',
            samples: known('jobManagerStart'),
          },
          {
            label: '(of which: scheduled → the kubelet reported the container running, as the watch saw it)',
            samples: known('jobManagerRunningSeen'),
          },
          {
            label: 'job manager started → the control plane found it answering (it asks every 250 ms)',
            samples: known('jobManagerAnswered'),
          },
          {
            label: 'job manager answering → task executor pods scheduled (created after it answers)',
            samples: known('taskExecutorScheduling'),
          },
          {
            label:
              'task executor pods scheduled → the last one\'s "task executor started" (sandbox, container, process)',
            samples: known('taskExecutorStart'),
          },
          {
            label: 'task executor started → the last one "registered with the job manager"',
            samples: known('registration'),
          },
          {
            label: 'registered → cluster RUNNING (the control plane sees the registrations and every pod running)',
            samples: known('clusterRunning'),
          },
          { label: 'cluster RUNNING → driver task RUNNING', samples: known('driverSubmit') },
          { label: 'driver task RUNNING → main() started', samples: known('driverStart') },
        ],
        target: "median <= 1 s (the local target's; no target was set for pods)",
        goal: { of: 'median', max: 1000 },
        command: `RunApplication(driver mode, deploy {task_executors: ${taskExecutors}}) of scripts/bench/bundle with args [-, ${MAIN_WAIT_MS}] on a control plane with ${cluster.controlPlaneArgs.join(' ').replace(cluster.kubeconfig, 'KUBECONFIG')}`,
      });
    }
  } finally {
    await controlPlane.close();
  }
  return rows;
}
