// A control plane for the benchmarks: its own temporary state dir, a typed client, applications
// submitted straight over gRPC, their events, and the cluster processes they leave. Closing it
// kills whatever cluster it deployed that is still running and removes the state dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { BENCH_BUNDLE, FLOTILLA_BIN, importDist } from './paths.mjs';
import { clusterProcesses, killPids, runChecked, startServer, waitUntilGone } from './processes.mjs';
import { driverRunRequest } from './runRequest.mjs';

const { ClusterClientServiceDefinition } = await importDist('dist/generated/flotilla/v1/cluster_client_service.js');
const { ApplicationStatus, ClusterStatus, ExecutionState } = await importDist('dist/generated/flotilla/v1/status.js');

export { ApplicationStatus, ClusterStatus, ExecutionState };

/** The state dirs of the control planes running now, for {@link killLeftoverClusters}. */
const running = new Set();

/** Kills every cluster process of every control plane still running (an interrupted benchmark). */
export function killLeftoverClusters() {
  for (const stateDir of running) killPids(clusterProcesses(stateDir));
}

const TERMINAL = new Set([ApplicationStatus.FINISHED, ApplicationStatus.FAILED, ApplicationStatus.CANCELED]);

/** The status an applicationStatusChanged event moved to, else undefined. */
export function applicationStatusOf(event) {
  return event.kind?.$case === 'applicationStatusChanged' ? event.kind.applicationStatusChanged.status : undefined;
}

/** Whether `event` ends its application. */
export function isTerminalEvent(event) {
  return TERMINAL.has(applicationStatusOf(event));
}

/**
 * Starts `flotilla controlplane` on a fresh state dir and uploads the benchmark bundle to it;
 * `args` are added to its command line, `nodeArgs` to node's (such as --cpu-prof) and `env` to its environment.
 */
export async function startBenchControlPlane({ args = [], nodeArgs = [], env: serverEnv = {} } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-cp-'));
  running.add(stateDir);
  const server = await startServer('controlplane', ['--state-dir', stateDir, ...args], { nodeArgs, env: serverEnv });
  const channel = createChannel(server.address);
  const client = createClient(ClusterClientServiceDefinition, channel);
  const env = { FLOTILLA_CONTROLPLANE: server.address };
  const uploaded = await runChecked(process.execPath, [FLOTILLA_BIN, 'upload', BENCH_BUNDLE], { env });
  const artifactId = uploaded.stdout.trim();

  return {
    address: server.address,
    pid: server.pid,
    stateDir,
    client,
    /** The last 64 KiB of what it logged (warnings and errors). */
    stderr: server.stderr,
    env,
    artifactId,

    /** Submits the benchmark bundle in driver mode on an owned cluster of `taskExecutors` task executors; resolves with its id. */
    async runApplication({ args = [], taskExecutors = 0, slots = 0 } = {}) {
      const cluster =
        taskExecutors === 0 && slots === 0
          ? undefined
          : {
              target: {
                $case: 'deploy',
                deploy: {
                  taskExecutors,
                  slotsPerTaskExecutor: slots,
                  taskExecutorResources: undefined,
                  properties: {},
                },
              },
            };
      const driverResources = { heapMemoryMb: 512, directMemoryMb: 0, nativeMemoryMb: 0, cpus: 0 };
      const { application } = await client.runApplication(
        driverRunRequest({ artifactId, args, cluster, driverResources }),
      );
      return application.id;
    },

    /**
     * Follows an application's events until it ends; `onEvent` sees each as it arrives (with the
     * wall-clock time it arrived). Resolves with every event; rejects if it did not end FINISHED.
     */
    async followUntilEnd(applicationId, onEvent = () => {}) {
      const events = [];
      for await (const { event } of client.watchApplication({ applicationId, afterSequence: 0n, follow: true })) {
        if (!event) continue;
        events.push(event);
        onEvent(event);
        if (isTerminalEvent(event)) break;
      }
      const last = events.at(-1);
      if (!last || applicationStatusOf(last) !== ApplicationStatus.FINISHED) {
        const message = last?.kind?.applicationStatusChanged?.message ?? 'no final status';
        throw new Error(`application ${applicationId} did not finish: ${message}`);
      }
      return events;
    },

    /** The folder of a cluster this control plane deployed (every process's command line names it): beside the state dir, the default --cluster-dir. */
    clusterFolder(clusterId) {
      return join(`${stateDir}-clusters`, clusterId);
    },

    /** Waits until no job manager or task executor of this control plane runs. */
    async waitForNoClusterProcesses(timeoutMs = 30_000) {
      await waitUntilGone(clusterProcesses(stateDir), { intervalMs: 20, timeoutMs });
      const left = clusterProcesses(stateDir);
      if (left.length > 0) await waitUntilGone(left, { intervalMs: 20, timeoutMs });
    },

    /** Stops the control plane, kills the cluster processes it left, removes its state. */
    async close() {
      channel.close();
      await server.stop();
      killPids(clusterProcesses(stateDir));
      running.delete(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(`${stateDir}-clusters`, { recursive: true, force: true });
    },
  };
}

/** The first event of `events` matching `predicate`, or throws naming `what`. */
export function findEvent(events, predicate, what) {
  const event = events.find(predicate);
  if (!event) throw new Error(`no ${what} among the application's ${events.length} events`);
  return event;
}

/** Whether `event` is the driver task's move to RUNNING. */
export function isDriverRunning(event) {
  return (
    event.kind?.$case === 'taskStateChanged' &&
    event.kind.taskStateChanged.vertexId === 'driver' &&
    event.kind.taskStateChanged.state === ExecutionState.RUNNING
  );
}

/** Whether `event` is the owned cluster's move to RUNNING. */
export function isClusterRunning(event) {
  return (
    event.kind?.$case === 'clusterStatusChanged' && event.kind.clusterStatusChanged.status === ClusterStatus.RUNNING
  );
}

/** Whether `event` is the application's DEPLOYING (its acceptance). */
export function isDeploying(event) {
  return applicationStatusOf(event) === ApplicationStatus.DEPLOYING;
}
