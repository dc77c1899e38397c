// Figure 5: the control plane alone at scale. It runs as a real process, `flotilla controlplane
// --deployment-target simulated` (its real SQLite file, real gRPC sockets), whose clusters exist
// only in its memory and play a scripted driver-mode application (src/deployment/simulated), so that
// 10,000 applications start no cluster process and what is measured is the control plane's own
// work: storing submissions and events, relaying the clusters' job events, answering watchers,
// tearing clusters down. The load comes from separate client processes (lib/scaleClient.mjs).
//
// - Submissions: RunApplication (driver mode, default owned cluster) of N applications (1k, 10k)
//   with 64 calls in flight; the rate per time window while every application also runs its ~20
//   events to FINISHED. Floor: GetApplication with the same clients and concurrency on the same
//   control plane (the transport and one store read, no write).
// - Fan-out: W WatchApplication(follow) streams (1k, 10k) on one running application; each event's
//   delivery latency is its arrival at a watcher minus the time the control plane stored it,
//   counted for the events stored once every stream was attached and had replayed what was stored
//   before (the steady state: every new event goes to all W at once). Floors: a bare nice-grpc
//   server of the same WatchApplication contract (lib/scaleClient.mjs serve: no store, no
//   middleware) pushing events as far apart to as many streams of the same watcher processes, the
//   least gRPC in Node costs on this machine; and one watcher alone.
// - Memory: VmRSS of the control plane (/proc/PID/status) after the N applications ended. Floor:
//   the same process idle before them (after a warm-up of 100 applications).
// The growth rows compare 10k with 1k: per-submission time, p99 latency per watcher, RSS added per
// application; each is "× linear" (1 = grows in proportion, below 1 = better).
//
// Stores (issue 14 part 5): every quantity is measured on SQLite (one process, the default), and
// the submissions and fan-out also on PostgreSQL with one replica and with three replicas on one
// database (a throwaway PostgreSQL 15 server the figure starts, lib/postgresServer.mjs, fsync on),
// in the same run. With three replicas the submitting clients spread their channels over all three
// addresses, and so do the watchers of the fan-out (watches on any replica, issue 14 part 3): two
// thirds of them watch through a replica that does not follow the application's cluster, and
// see its events through the database's notifications.
//
// FLOTILLA_BENCH_SCALE_SIZE=1000 runs one size only (applications and watchers), without growth
// rows: for comparing two builds quickly (the before and after of a change).
// FLOTILLA_BENCH_SCALE_STORES=sqlite,postgresql-1,postgresql-3 picks the stores (default: all three),
// FLOTILLA_BENCH_SCALE_PARTS=submissions,fan-out the parts (default: both).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ApplicationStatus, startBenchControlPlane } from '../lib/controlPlane.mjs';
import { profilesToMarkdown, readProfiles } from '../lib/cpuProfile.mjs';
import { startPostgresServer } from '../lib/postgresServer.mjs';
import { cpuTimeMs, memoryOf, runClientProcess, wallClockMs } from '../lib/processes.mjs';
import { formatNumber, median, percentile } from '../lib/stats.mjs';

const CLIENT = fileURLToPath(new URL('../lib/scaleClient.mjs', import.meta.url));
/** The before and after of the fixes this figure led to: earlier runs of this script on two builds, written down with their commands. */
const HISTORY = fileURLToPath(new URL('./scale.history.md', import.meta.url));

export const figure = {
  id: '5',
  title:
    'Control plane alone at scale, on clusters it only simulates (`flotilla controlplane --deployment-target simulated`)',
  target:
    ">= 1,000 submissions/s on SQLite; fan-out p99 <= 1.2 × the bare nice-grpc server's; <= 300 MB; growth no worse than linear",
};

/**
 * Where the control plane keeps its state: SQLite (one process), or PostgreSQL with `replicas`
 * control-plane processes on one database. `suffix` is what the rows' labels add.
 */
const STORES = [
  { id: 'sqlite', suffix: '', replicas: 0 },
  { id: 'postgresql-1', suffix: ', PostgreSQL ×1', replicas: 1 },
  { id: 'postgresql-3', suffix: ', PostgreSQL ×3 replicas', replicas: 3 },
];

/** Calls in flight while submitting, over all client processes. */
const CONCURRENCY = 64;
/** gRPC channels (connections) per client process. */
const CHANNELS = 4;
/** Applications submitted and ended before anything is measured (JIT, page cache, the first statements). */
const WARM_UP = 100;
/** The pause between two events of a simulated cluster while submitting: an application lasts about 170 ms. */
const SUBMISSION_EVENT_INTERVAL_MS = 10;
/**
 * For the fan-out, slower and longer applications, so that most events come after every watcher
 * is attached, and far enough apart that one event has reached every watcher before the next is
 * stored: 250 ms, and at least 0.3 ms per watcher (3 s at 10,000; measured: 35 to 80 µs of the
 * control plane's CPU per delivery, 0.8 s per event at 10,000, and the watchers' own share). The
 * figure then shows the latency of a fan-out, not of a queue that grows. 4 jobs (about 45 events),
 * 2 at 5,000 watchers or more (about 30, which still outlast their attaching).
 */
const fanOutScript = (watchers) => ({
  eventIntervalMs: Math.max(250, Math.ceil(watchers * 0.3)),
  jobs: watchers >= 5000 ? 2 : 4,
  watchers: true,
});
/** Retention off: every application keeps its events (the default would compact all but the newest 1,000 after a minute). */
const NO_RETENTION = ['--retention-count', '0', '--retention-time', '0'];
/** No limit on streams per caller: every watcher comes from 127.0.0.1, and by default one caller may hold 1,000. */
const UNLIMITED_STREAMS = ['--max-streams-per-caller', '0'];

const MB = 1_000_000;

/** A whole number as a label shows it: 10,000. */
const count = (value) => value.toLocaleString('en-US');

const simulatedArgs = ({ eventIntervalMs, jobs = 1, watchers = false }) => [
  '--deployment-target',
  'simulated',
  '--simulated-event-interval',
  String(eventIntervalMs),
  '--simulated-jobs',
  String(jobs),
  ...NO_RETENTION,
  ...(watchers ? UNLIMITED_STREAMS : []),
];

export async function run({ smoke, log, profile = true }) {
  const only = Number(process.env.FLOTILLA_BENCH_SCALE_SIZE) || undefined;
  // Every store, in the smoke run (CI) too; FLOTILLA_BENCH_SCALE_STORES picks some.
  const storeIds = process.env.FLOTILLA_BENCH_SCALE_STORES?.split(',').map((id) => id.trim());
  const stores = STORES.filter((store) => !storeIds || storeIds.includes(store.id));
  const parts = process.env.FLOTILLA_BENCH_SCALE_PARTS?.split(',').map((part) => part.trim()) ?? [
    'submissions',
    'fan-out',
  ];
  const sizes = smoke
    ? {
        applications: [20, 60],
        watchers: [10, 40],
        submitProcesses: 1,
        watchProcesses: 2,
        warmUp: 5,
        fanOutScript: () => ({ ...fanOutScript(0), eventIntervalMs: 50 }),
      }
    : {
        applications: only ? [only] : [1000, 10_000],
        watchers: only ? [only] : [1000, 10_000],
        submitProcesses: 1,
        watchProcesses: 2,
        warmUp: WARM_UP,
        fanOutScript,
      };
  const postgres = stores.some((store) => store.replicas > 0) ? await startPostgresServer() : undefined;
  const byStore = [];
  const profiles = [];
  try {
    for (const store of stores) {
      const submissions = [];
      for (const count of parts.includes('submissions') ? sizes.applications : [])
        submissions.push(
          await measureSubmissions({
            count,
            processes: sizes.submitProcesses,
            warmUp: sizes.warmUp,
            log,
            store,
            postgres,
          }),
        );
      const fanOuts = [];
      if (parts.includes('fan-out'))
        for (const watchers of sizes.watchers)
          fanOuts.push(
            await measureFanOut({
              watchers,
              processes: sizes.watchProcesses,
              script: sizes.fanOutScript(watchers),
              log,
              store,
              postgres,
            }),
          );
      byStore.push({ store, submissions, fanOuts });
    }
    // One more submission run under --cpu-prof for each single-process store whose submissions miss
    // the target (or, on SQLite, any target): where the control plane's time goes.
    for (const { store, submissions, fanOuts } of byStore) {
      const missed =
        submissions.some((result) => median(result.windowRates) < 1000) ||
        (store.replicas === 0 &&
          (fanOuts.some((result) => percentile(result.latencies, 99) > fanOutGoal(result)) ||
            submissions.some((result) => median(result.rssAfter) > 300)));
      if (profile && missed && store.replicas <= 1 && submissions.length > 0)
        profiles.push(
          await profileSubmissions({
            count: sizes.applications[0],
            processes: sizes.submitProcesses,
            warmUp: sizes.warmUp,
            log,
            store,
            postgres,
          }),
        );
    }
  } finally {
    await postgres?.stop();
  }
  let extra = profiles.join('\n\n');
  const submissionCommand = (result) =>
    `${controlPlaneCommand(result.store, simulatedArgs({ eventIntervalMs: SUBMISSION_EVENT_INTERVAL_MS }))}; ${result.processes} × node scripts/bench/lib/scaleClient.mjs (submit ${result.count}, ${CONCURRENCY} calls in flight, ${CHANNELS} channels${result.store.replicas > 1 ? ' to each replica' : ''} each)`;
  const fanOutCommand = (result) =>
    `${controlPlaneCommand(result.store, simulatedArgs(sizes.fanOutScript(result.watchers)))}; ${result.processes} × node scripts/bench/lib/scaleClient.mjs (watch: ${result.watchers / result.processes} WatchApplication(follow) streams each, ${CHANNELS} channels${result.store.replicas > 1 ? ' to each replica' : ''})`;
  const rows = byStore.flatMap(({ store, submissions, fanOuts }) => [
    ...submissions.map((result) => submissionRow(result, submissionCommand(result))),
    ...fanOuts.map((result) => fanOutRow(result, fanOutCommand(result))),
    ...(store.replicas === 0
      ? submissions.map((result) => ({
          label: `RSS after ${count(result.count)} applications of ${Math.round(result.eventsPerApplication)} events`,
          subjectLabel: 'VmRSS once every application ended (5 readings, 200 ms apart)',
          unit: 'MB',
          subject: result.rssAfter,
          floors: [
            { label: `the same process idle, after ${sizes.warmUp} warm-up applications`, samples: result.rssIdle },
          ],
          breakdown: [{ label: 'VmHWM (peak RSS) of the run', samples: [result.peakMB] }],
          target: '<= 300 MB',
          goal: { of: 'median', max: 300 },
          command: submissionCommand(result),
        }))
      : []),
    ...growthRows({ store, submissions, fanOuts }),
  ]);
  const notes = [
    `The control plane is one real process on this machine, started as in the commands above; clusters are simulated inside it (no job manager or task executor process), each playing a driver-mode application: the driver job and its task, ${'`--simulated-jobs`'} jobs of one task, then FINISHED; the control plane stores and relays every event (a transaction each, as for real clusters), copies the driver's one line of output, and tears the cluster down. Not measured here: decoding the clusters' job events from gRPC (in-process here).`,
    `PostgreSQL rows: a PostgreSQL 15 server started by the figure on loopback (Debian's binaries, a new data folder, fsync and synchronous_commit on, as SQLite's commits are durable), one new database per measurement; "×3 replicas" is three control-plane processes on that one database, each with its own state dir and all with one --artifact-dir, the submitting clients' channels spread evenly over the three addresses. Their "control plane CPU" is the three processes' together; the database server's CPU (postmaster and backends) is a part of its own. RSS rows are SQLite's only (the target is per process). The fan-out with three replicas: the application is submitted through the first replica, the watchers' channels spread evenly over the three addresses (each watcher process opens its channels to every replica, its streams taking them in turn), so about two thirds of the streams are on a replica that does not follow the application's cluster and learns of its events from the database's notification; the control plane CPU is again the three processes' together.`,
    `Retention is switched off (${NO_RETENTION.join(' ')}), so every application keeps all its events in the database; by default all but the newest 1,000 finished applications would be compacted after a minute.`,
    `The fan-out's control plane runs with ${UNLIMITED_STREAMS.join(' ')}: by default one caller (a tenant, or a client host when there are no tokens) may hold 1,000 streams, and every watcher here comes from 127.0.0.1, so the 1,001st would be refused with RESOURCE_EXHAUSTED.`,
    `Submissions come from ${sizes.submitProcesses} client process(es) with ${CONCURRENCY} calls in flight in total; watchers from ${sizes.watchProcesses} processes. Window rates: answers counted per window from the first answer, the last partial window left out. ${sizes.warmUp} warm-up applications ran to their end first on each control plane.`,
    ...byStore
      .flatMap(({ submissions }) => submissions)
      .map(
        (result) =>
          `${count(result.count)} applications${result.store.suffix}: submitting took ${formatNumber(result.submitMs / 1000)} s (${formatNumber(result.overallRate)}/s), every application had ended ${formatNumber(result.drainMs / 1000)} s after the first submission; control plane CPU ${formatNumber(result.serverCpuMs / 1000)} s (${formatNumber(result.serverCpuMs / result.count)} ms per application), client CPU ${formatNumber(result.clientCpuMs / 1000)} s over ${formatNumber(result.submitMs / 1000)} s of submitting.`,
      ),
    ...byStore
      .flatMap(({ fanOuts }) => fanOuts)
      .map(
        (result) =>
          `${count(result.watchers)} watchers${result.store.suffix}: ${formatNumber(result.latencies.length)} deliveries measured (${formatNumber(result.liveEventsPerWatcher)} live events × ${count(result.watchers)} streams); every stream received the application's ${result.eventsPerStream.join('–')} events in order without gap or repeat${result.problems.length ? ` except: ${result.problems.join('; ')}` : ''}.`,
      ),
  ];
  if (existsSync(HISTORY)) extra = [extra, readFileSync(HISTORY, 'utf8').trim()].filter(Boolean).join('\n\n');
  return { rows, notes, extra };
}

/** The applications that have not ended. */
const ACTIVE = [
  ApplicationStatus.CREATED,
  ApplicationStatus.DEPLOYING,
  ApplicationStatus.RUNNING,
  ApplicationStatus.FAILING,
  ApplicationStatus.CANCELING,
];

/** Resolves once no application of the control plane is active; with the wall-clock time it noticed. */
async function drained(controlPlane, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { applications } = await controlPlane.client.listApplications({
      pageSize: 1,
      pageToken: '',
      statuses: ACTIVE,
    });
    if (applications.length === 0) return wallClockMs();
    if (performance.now() > deadline)
      throw new Error(
        `applications still active after ${timeoutMs} ms, such as ${applications[0].id} (${ApplicationStatus[applications[0].status]})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every application: how many there are per status, and their events. */
async function census(controlPlane) {
  const statuses = {};
  let events = 0;
  let count = 0;
  let pageToken = '';
  const failures = [];
  do {
    const page = await controlPlane.client.listApplications({ pageSize: 1000, pageToken, statuses: [] });
    for (const application of page.applications) {
      statuses[ApplicationStatus[application.status]] = (statuses[ApplicationStatus[application.status]] ?? 0) + 1;
      if (application.failure && failures.length < 10)
        failures.push(`${application.id}: ${causes(application.failure)}`);
      events += Number(application.lastEventSequence);
      count++;
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { statuses, count, eventsPerApplication: events / count, failures };
}

/** A SerializedError and the chain of its causes on one line. */
function causes(error) {
  const parts = [];
  for (let next = error; next; next = next.cause) parts.push(`${next.name}: ${next.message}`);
  return parts.join(' <- ');
}

/**
 * Rates of `times` (epoch ms) per window of `windowMs` from the first of them; the last, partial
 * window is left out. When they span less than one window: `whole`, the rate of the whole run.
 */
function windowRates(times, windowMs, whole) {
  const start = times.reduce((least, time) => Math.min(least, time));
  const end = times.reduce((most, time) => Math.max(most, time));
  if (end - start < windowMs) return [whole];
  const windows = Math.floor((end - start) / windowMs);
  const counts = new Array(windows).fill(0);
  for (const time of times) {
    const index = Math.floor((time - start) / windowMs);
    if (index < windows) counts[index]++;
  }
  return counts.map((count) => count / (windowMs / 1000));
}

/** Runs `processes` client processes of `mode`, splitting `count` and the concurrency between them. */
async function clientsRun(mode, processes, task) {
  const results = await Promise.all(
    Array.from({ length: processes }, (_, index) => {
      const count = Math.floor(task.count / processes) + (index < task.count % processes ? 1 : 0);
      return runClientProcess(CLIENT, {
        mode,
        channels: CHANNELS,
        ...task,
        count,
        concurrency: Math.max(1, Math.floor(CONCURRENCY / processes)),
      }).done;
    }),
  );
  return {
    sent: results.flatMap((result) => result.sent),
    answered: results.flatMap((result) => result.answered),
    cpuMs: results.reduce((sum, result) => sum + result.cpuMs, 0),
  };
}

/** VmRSS in MB, `count` readings `intervalMs` apart. */
async function rssReadings(pid, count = 5, intervalMs = 200) {
  const readings = [];
  for (let index = 0; index < count; index++) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    readings.push((memoryOf(pid).rssMiB * 1024 * 1024) / MB);
  }
  return readings;
}

/**
 * The control plane of `store`: one process on SQLite, or `store.replicas` processes on a new
 * database of `postgres` sharing one artifact folder, each with the benchmark bundle uploaded.
 * `address` names every replica (comma-separated), `client` talks to the first; `cpuTimeMs()` is
 * the CPU of all of them, `databaseCpuMs()` that of the database server (0 on SQLite).
 */
async function startSubject(store, { args, nodeArgs = [], postgres }) {
  if (store.replicas === 0) {
    const controlPlane = await startBenchControlPlane({ args, nodeArgs });
    return {
      ...controlPlane,
      cpuTimeMs: () => cpuTimeMs(controlPlane.pid),
      databaseCpuMs: () => 0,
      logs: () => controlPlane.stderr(),
    };
  }
  const database = await postgres.createDatabase();
  const artifactDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-artifacts-'));
  const replicas = [];
  try {
    // One after the other: the first migrates the database, the others find it migrated.
    for (let index = 0; index < store.replicas; index++)
      replicas.push(
        await startBenchControlPlane({
          args: [...args, '--store', database, '--artifact-dir', artifactDir],
          nodeArgs,
        }),
      );
  } catch (error) {
    for (const replica of replicas) await replica.close();
    throw error;
  }
  const [first] = replicas;
  return {
    ...first,
    address: replicas.map((replica) => replica.address).join(','),
    cpuTimeMs: () => replicas.reduce((sum, replica) => sum + cpuTimeMs(replica.pid), 0),
    databaseCpuMs: () => postgres.cpuTimeMs(),
    logs: () =>
      replicas.map((replica, index) => `# replica ${index} (${replica.address})\n${replica.stderr()}`).join('\n'),
    async close() {
      for (const replica of replicas) await replica.close();
      rmSync(artifactDir, { recursive: true, force: true });
    },
  };
}

async function measureSubmissions({ count, processes, warmUp, log, nodeArgs = [], store = STORES[0], postgres }) {
  const controlPlane = await startSubject(store, {
    args: simulatedArgs({ eventIntervalMs: SUBMISSION_EVENT_INTERVAL_MS }),
    nodeArgs,
    postgres,
  });
  try {
    const { address, artifactId, pid } = controlPlane;
    await clientsRun('submit', 1, { address, artifactId, count: warmUp });
    await drained(controlPlane, 120_000);
    const [someApplication] = (await controlPlane.client.listApplications({ pageSize: 1, pageToken: '', statuses: [] }))
      .applications;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssIdle = await rssReadings(pid);

    // The floor first, on the idle control plane: as many reads as there will be submissions (at most 5,000).
    const floorBegin = wallClockMs();
    const floor = await clientsRun('read', processes, {
      address,
      applicationId: someApplication.id,
      count: Math.min(count, 5000),
    });
    const floorMs = floor.answered.reduce((most, time) => Math.max(most, time)) - floorBegin;

    const cpuBefore = controlPlane.cpuTimeMs();
    const databaseCpuBefore = controlPlane.databaseCpuMs();
    const begin = wallClockMs();
    const submitted = await clientsRun('submit', processes, { address, artifactId, count });
    const submitMs = submitted.answered.reduce((most, time) => Math.max(most, time)) - begin;
    const endedAt = await drained(controlPlane, 30 * 60_000);
    const serverCpuMs = controlPlane.cpuTimeMs() - cpuBefore;
    const databaseCpuMs = controlPlane.databaseCpuMs() - databaseCpuBefore;
    const { peakMiB } = memoryOf(pid);
    const { statuses, count: total, eventsPerApplication, failures } = await census(controlPlane);
    if (statuses.FINISHED !== total) {
      const logs = join(tmpdir(), `flotilla-bench-scale-failure-${Date.now()}.log`);
      writeFileSync(logs, controlPlane.logs());
      throw new Error(
        `not every application ended FINISHED: ${JSON.stringify(statuses)}; the first failures:\n${failures.join('\n')}\n(what the control plane logged: ${logs})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssAfter = await rssReadings(pid);

    const windowMs = Math.max(1000, submitMs / 50);
    const result = {
      store,
      count,
      processes,
      windowMs,
      windowRates: windowRates(submitted.answered, windowMs, count / (submitMs / 1000)),
      floorWindowRates: windowRates(
        floor.answered,
        Math.max(1000, floorMs / 50),
        floor.answered.length / (floorMs / 1000),
      ),
      overallRate: count / (submitMs / 1000),
      endedRate: count / ((endedAt - begin) / 1000),
      latencies: submitted.answered.map((answered, index) => answered - submitted.sent[index]),
      submitMs,
      drainMs: endedAt - begin,
      serverCpuMs,
      serverCpuShare: serverCpuMs / (endedAt - begin),
      databaseCpuMs,
      clientCpuMs: submitted.cpuMs,
      clientCpuShare: submitted.cpuMs / submitMs,
      eventsPerApplication,
      rssIdle,
      rssAfter,
      peakMB: (peakMiB * 1024 * 1024) / MB,
    };
    log(
      `${count} applications${store.suffix}: ${Math.round(result.overallRate)} submissions/s (median window ${Math.round(median(result.windowRates))}/s, floor ${Math.round(median(result.floorWindowRates))} reads/s), all ended after ${(result.drainMs / 1000).toFixed(1)} s, ` +
        `${eventsPerApplication.toFixed(1)} events each, RSS ${median(rssIdle).toFixed(0)} → ${median(rssAfter).toFixed(0)} MB (peak ${result.peakMB.toFixed(0)})`,
    );
    return result;
  } finally {
    await controlPlane.close();
  }
}

/** Watchers of `applicationId` in `processes` processes; resolves once every stream ended, with when all were attached. */
async function watchersRun({ address, applicationId, watchers, processes }) {
  const attached = [];
  const results = await Promise.all(
    Array.from({ length: processes }, (_, index) => {
      const share = Math.floor(watchers / processes) + (index < watchers % processes ? 1 : 0);
      return runClientProcess(
        CLIENT,
        { mode: 'watch', address, applicationId, watchers: share, channels: CHANNELS },
        (message) => {
          if (message.type === 'attached') attached.push(message.at);
        },
      ).done;
    }),
  );
  const attachedAt = Math.max(...results.map((result) => result.attachedAt));
  // Every stream first replays the events stored before it was attached; once the last of those
  // replays has arrived (settledAt), what is stored is delivered live to every watcher at once.
  let settledAt = attachedAt;
  for (const result of results) {
    for (const times of result.samples)
      for (let index = 0; index < times.length; index += 2)
        if (times[index] <= attachedAt) settledAt = Math.max(settledAt, times[index + 1]);
  }
  const latencies = [];
  let live = 0;
  for (const result of results) {
    for (const times of result.samples) {
      let liveHere = 0;
      for (let index = 0; index < times.length; index += 2) {
        if (times[index] <= settledAt) continue;
        latencies.push(times[index + 1] - times[index]);
        liveHere++;
      }
      live = Math.max(live, liveHere);
    }
  }
  return {
    attachedAt,
    settledAt,
    latencies,
    live,
    eventsPerStream: [
      Math.min(...results.map((result) => result.eventsPerStream[0])),
      Math.max(...results.map((result) => result.eventsPerStream[1])),
    ],
    problems: results.flatMap((result) => result.problems),
    cpuMs: results.reduce((sum, result) => sum + result.cpuMs, 0),
  };
}

async function measureFanOut({ watchers, processes, script, log, store = STORES[0], postgres }) {
  const controlPlane = await startSubject(store, { args: simulatedArgs(script), postgres });
  try {
    const { address } = controlPlane;
    const submit = () => controlPlane.runApplication();
    // The floor: one watcher alone, on an application of its own.
    const alone = await watchersRun({ address, applicationId: await submit(), watchers: 1, processes: 1 });
    const cpuBefore = controlPlane.cpuTimeMs();
    const begin = wallClockMs();
    // The control plane's CPU time every 50 ms, to tell what the live deliveries cost it.
    const cpuSamples = [[begin, cpuBefore]];
    const sampler = setInterval(() => cpuSamples.push([wallClockMs(), controlPlane.cpuTimeMs()]), 50);
    let watched;
    try {
      watched = await watchersRun({ address, applicationId: await submit(), watchers, processes });
    } finally {
      clearInterval(sampler);
    }
    const ended = wallClockMs();
    const serverCpuMs = controlPlane.cpuTimeMs() - cpuBefore;
    const atSettled = cpuSamples.find(([time]) => time >= watched.settledAt) ?? cpuSamples.at(-1);
    const liveCpuMs = cpuBefore + serverCpuMs - atSettled[1];
    const result = {
      store,
      watchers,
      processes,
      latencies: watched.latencies,
      floorLatencies: alone.latencies,
      attachMs: watched.attachedAt - begin,
      settleMs: watched.settledAt - watched.attachedAt,
      liveEventsPerWatcher: watched.live,
      eventsPerStream: watched.eventsPerStream,
      problems: watched.problems,
      serverCpuShare: serverCpuMs / (ended - begin),
      clientCpuShare: watched.cpuMs / (ended - begin),
      liveCpuPerEventMs: liveCpuMs / Math.max(1, watched.live),
      liveCpuPerDeliveryUs: (liveCpuMs * 1000) / Math.max(1, watched.latencies.length),
    };
    if (result.latencies.length === 0)
      throw new Error(
        `no event was stored after all ${watchers} watchers were attached (${result.attachMs.toFixed(0)} ms): make the simulated application longer`,
      );
    result.bare = await bareFanOut({
      watchers,
      processes,
      intervalMs: script.eventIntervalMs,
      events: watchers >= 5000 ? 5 : 10,
    });
    log(
      `${watchers} watchers${store.suffix}: p99 ${percentile(result.latencies, 99).toFixed(1)} ms, median ${median(result.latencies).toFixed(1)} ms over ${result.latencies.length} deliveries (bare nice-grpc server: p99 ${percentile(result.bare.latencies, 99).toFixed(1)} ms; one watcher alone: p99 ${percentile(alone.latencies, 99).toFixed(1)} ms); attached in ${(result.attachMs / 1000).toFixed(1)} s`,
    );
    return result;
  } finally {
    await controlPlane.close();
  }
}

/**
 * The fan-out's floor: a bare nice-grpc server (lib/scaleClient.mjs serve) that sends `events`
 * events `intervalMs` apart to `watchers` streams of `processes` watcher processes, measured as the
 * control plane is; with its CPU time per delivery.
 */
async function bareFanOut({ watchers, processes, intervalMs, events }) {
  let listening;
  const address = new Promise((resolve) => (listening = resolve));
  const server = runClientProcess(
    CLIENT,
    { mode: 'serve', watchers, events, intervalMs },
    (message) => message.type === 'listening' && listening(message.address),
  );
  // Undefined when the server ended (or failed; its error comes from server.done below) before it listened.
  const bound = await Promise.race([address, server.done.then(() => undefined).catch(() => undefined)]);
  if (bound === undefined)
    await server.done.then(() => Promise.reject(new Error('the bare fan-out server ended before it listened')));
  const watched = await watchersRun({ address: bound, applicationId: 'floor', watchers, processes });
  const { cpuMs } = await server.done;
  if (watched.problems.length > 0) throw new Error(`the bare fan-out server's streams: ${watched.problems.join('; ')}`);
  return {
    latencies: watched.latencies,
    cpuPerDeliveryUs: (cpuMs * 1000) / Math.max(1, watched.latencies.length),
    events,
    intervalMs,
  };
}

/** One more submission run with the control plane under --cpu-prof; Markdown of where its time goes. */
async function profileSubmissions({ count, processes, warmUp, log, store, postgres }) {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-bench-cp-prof-'));
  try {
    const result = await measureSubmissions({
      count,
      processes,
      warmUp,
      log,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', folder],
      store,
      postgres,
    });
    const profiles = readProfiles(folder).map((profile) => ({
      ...profile,
      label: profile.thread === 0 ? 'control plane, main thread' : undefined,
    }));
    return [
      `#### Where the control plane's time goes${store.suffix} (one extra submission run under \`--cpu-prof\`)`,
      '',
      `${count.toLocaleString('en-US')} applications (after ${warmUp} warm-up ones) with the control plane started as \`node --cpu-prof ${controlPlaneCommand(store, simulatedArgs({ eventIntervalMs: SUBMISSION_EVENT_INTERVAL_MS })).replace(/^node /, '')}\`: ` +
        `${formatNumber(result.overallRate)} submissions/s (profiling slows it down); the profile covers the whole process life, warm-up and floor included.`,
      '',
      profilesToMarkdown(profiles),
    ].join('\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The command line of the control plane(s) of `store` with `args`. */
function controlPlaneCommand(store, args) {
  const command = `node bin/flotilla.js controlplane ${args.join(' ')}`;
  if (store.replicas === 0) return command;
  const postgres = `${command} --store postgresql://…/DB --artifact-dir SHARED`;
  return store.replicas === 1 ? postgres : `${store.replicas} × ${postgres} (one database)`;
}

/** The p99 a fan-out must keep to: 1.2 × the bare nice-grpc server's, measured in the same run. */
function fanOutGoal(result) {
  return 1.2 * percentile(result.bare.latencies, 99);
}

/** The rows of one submission measurement. */
function submissionRow(result, command) {
  const { store } = result;
  return {
    label: `submissions/s, ${count(result.count)} applications${store.suffix}`,
    subjectLabel: `RunApplication answers per ${formatNumber(result.windowMs)} ms window (from the first answer), as a rate`,
    unit: 'submissions/s',
    subject: result.windowRates,
    floors: [
      {
        label: `GetApplication, same clients and concurrency`,
        samples: result.floorWindowRates,
        unit: 'calls/s',
        command: 'scaleClient.mjs read: GetApplication of one application',
      },
    ],
    breakdown: [
      { label: `whole run: ${result.count} submissions / (first sent → last answered)`, samples: [result.overallRate] },
      { label: 'applications ended per second (first sent → every application ended)', samples: [result.endedRate] },
      { label: 'RunApplication latency (sent → answered)', samples: result.latencies, unit: 'ms' },
      {
        label: `control plane CPU while submitting and draining, % of one core${store.replicas > 1 ? ` (${store.replicas} processes together)` : ''}`,
        samples: [result.serverCpuShare * 100],
        unit: '%',
      },
      {
        label: 'control plane CPU time per application (its submission, ~20 events, log copy, teardown)',
        samples: [result.serverCpuMs / result.count],
        unit: 'ms',
      },
      ...(store.replicas > 0
        ? [
            {
              label: 'PostgreSQL server CPU time per application (postmaster and backends)',
              samples: [result.databaseCpuMs / result.count],
              unit: 'ms',
            },
          ]
        : []),
      {
        label: "client processes' CPU while submitting, % of one core (the load's own cost)",
        samples: [result.clientCpuShare * 100],
        unit: '%',
      },
      {
        label: 'events per application (last_event_sequence; all ended FINISHED)',
        samples: [result.eventsPerApplication],
        unit: 'events',
      },
    ],
    target: store.replicas === 0 ? '>= 1,000 submissions/s' : '>= 1,000 submissions/s (the target is on SQLite)',
    goal: { of: 'median', min: 1000 },
    command,
  };
}

/** The row of one fan-out measurement. */
function fanOutRow(result, command) {
  return {
    label: `event delivery to ${count(result.watchers)} concurrent watchers${result.store.suffix}`,
    subjectLabel:
      'stored → arrived at a watcher, for every event stored once all watchers were attached and caught up, × every watcher',
    unit: 'ms',
    subject: result.latencies,
    floors: [
      {
        label: `bare nice-grpc server, same ${count(result.watchers)} streams and watcher processes`,
        samples: result.bare.latencies,
        command: `node scripts/bench/lib/scaleClient.mjs (serve: ${result.bare.events} events ${result.bare.intervalMs} ms apart to ${count(result.watchers)} WatchApplication streams); the same watcher processes`,
      },
      { label: 'one watcher alone', samples: result.floorLatencies, command: 'scaleClient.mjs watch: 1 stream' },
    ],
    breakdown: [
      {
        label: "p99 over the bare nice-grpc server's p99 (target <= 1.2)",
        samples: [percentile(result.latencies, 99) / percentile(result.bare.latencies, 99)],
        unit: '×',
      },
      {
        label: 'time to attach every watcher (first submitted → last stream got its first event)',
        samples: [result.attachMs],
        unit: 'ms',
      },
      {
        label: 'then until every stream had replayed the events stored before (not counted above)',
        samples: [result.settleMs],
        unit: 'ms',
      },
      { label: 'events delivered live per watcher', samples: [result.liveEventsPerWatcher], unit: 'events' },
      {
        label: `control plane CPU while attaching, replaying and delivering, % of one core${result.store.replicas > 1 ? ` (${result.store.replicas} processes together)` : ''}`,
        samples: [result.serverCpuShare * 100],
        unit: '%',
      },
      {
        label: `control plane CPU per live event, sent to all ${count(result.watchers)} watchers (the least its p99 can be on one core)`,
        samples: [result.liveCpuPerEventMs],
        unit: 'ms',
      },
      { label: 'control plane CPU per delivery (live phase)', samples: [result.liveCpuPerDeliveryUs], unit: 'µs' },
      {
        label: "bare nice-grpc server's CPU per delivery (its floor)",
        samples: [result.bare.cpuPerDeliveryUs],
        unit: 'µs',
      },
      {
        label: "watcher processes' CPU while delivering, % of one core",
        samples: [result.clientCpuShare * 100],
        unit: '%',
      },
    ],
    target: `p99 <= 1.2 × the bare nice-grpc server's p99 (${formatNumber(fanOutGoal(result))} ms)`,
    goal: { of: 'p99', max: fanOutGoal(result) },
    command,
  };
}

/** The rows of how the three quantities grow from the smaller size to the larger one, for one store. */
function growthRows({ store, submissions, fanOuts }) {
  const [small, large] = submissions;
  const [fewer, more] = fanOuts;
  const rows = [];
  if (small && large) {
    rows.push({
      label: `growth ${count(small.count)} → ${count(large.count)} applications: time per submission${store.suffix}`,
      unit: '× linear',
      subject: [small.overallRate / large.overallRate],
      target: '<= 1 (no worse than linear)',
      goal: { of: 'median', max: 1 },
      command: 'whole-run submission rate at the smaller size / at the larger size',
    });
  }
  if (fewer && more) {
    rows.push({
      label: `growth ${count(fewer.watchers)} → ${count(more.watchers)} watchers: p99 delivery latency per watcher${store.suffix}`,
      unit: '× linear',
      subject: [percentile(more.latencies, 99) / percentile(fewer.latencies, 99) / (more.watchers / fewer.watchers)],
      target: '<= 1 (no worse than linear)',
      goal: { of: 'median', max: 1 },
      command: `(p99 at ${more.watchers} / p99 at ${fewer.watchers}) / ${more.watchers / fewer.watchers}`,
    });
  }
  if (small && large && store.replicas === 0) {
    rows.push({
      label: `growth ${count(small.count)} → ${count(large.count)} applications: RSS added per application`,
      unit: '× linear',
      subject: [
        (median(large.rssAfter) - median(large.rssIdle)) /
          (median(small.rssAfter) - median(small.rssIdle)) /
          (large.count / small.count),
      ],
      target: '<= 1 (no worse than linear)',
      goal: { of: 'median', max: 1 },
      command: `((RSS after − idle) at ${large.count} / (RSS after − idle) at ${small.count}) / ${large.count / small.count}`,
    });
  }
  return rows;
}
